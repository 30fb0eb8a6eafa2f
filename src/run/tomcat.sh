#!/bin/sh
# Runs the Tomcat of `mvn -Prun package` in the foreground and stops it with Maven, however Maven is stopped:
# Ctrl-C in a terminal reaches every process of the group, but an IDE's stop button or `kill <maven pid>`
# reaches Maven alone, which would leave Tomcat running and holding the port. So this script watches the
# process that started it and stops Tomcat gracefully (SIGTERM: the gateway flushes its request log) when
# that process is gone, or when it is told to stop itself.
parent=$PPID
# Maven's end closes the pipes this script's output went to; writing there must not end the script
trap '' PIPE
sh "$CATALINA_HOME/bin/catalina.sh" run &
tomcat=$!

stop() {
    kill -TERM "$tomcat" 2>/dev/null
    wait "$tomcat"
    exit "$1"
}
trap 'stop 130' INT
trap 'stop 143' TERM HUP

while kill -0 "$tomcat" 2>/dev/null; do
    if ! kill -0 "$parent" 2>/dev/null; then
        stop 143
    fi
    sleep 1
done
wait "$tomcat"
