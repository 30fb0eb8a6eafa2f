#!/bin/sh
# toro, the TokenRouter command-line companion: this script followed by the runnable jar it starts.
# Needs Java 17 or later (java on the PATH, or JAVA_HOME); TORO_JAVA_OPTS adds JVM options.
if [ -n "$JAVA_HOME" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
exec "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto $TORO_JAVA_OPTS -jar "$0" "$@"
