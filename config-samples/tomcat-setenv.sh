# Tomcat: bin/setenv.sh. Settings as system properties (they win over environment variables and the TOML file).
CATALINA_OPTS="$CATALINA_OPTS -Dtokenrouter.home=/var/lib/tokenrouter"
CATALINA_OPTS="$CATALINA_OPTS -Dtokenrouter.max_body_bytes=33554432"
# Long-lived streams: keep the connector's async timeout off (TokenRouter applies its own idle-read timeout).
