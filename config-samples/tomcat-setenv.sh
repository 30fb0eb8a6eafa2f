# Tomcat: bin/setenv.sh. Settings as system properties (they win over environment variables and the TOML file).
CATALINA_OPTS="$CATALINA_OPTS -Dtokenrouter.home=/var/lib/tokenrouter"
CATALINA_OPTS="$CATALINA_OPTS -Dtokenrouter.max_body_bytes=33554432"
# On machines with one or two CPUs the JDK HttpClient would start a thread for every upstream call
# (its completions go to the common ForkJoinPool, which is then too small to exist); give the pool threads.
CATALINA_OPTS="$CATALINA_OPTS -Djava.util.concurrent.ForkJoinPool.common.parallelism=4"
# Long-lived streams: keep the connector's async timeout off (TokenRouter applies its own idle-read timeout).
