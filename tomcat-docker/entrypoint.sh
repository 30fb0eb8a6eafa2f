#!/bin/sh
# Starts Tomcat in the foreground; with TOKENROUTER_DB_URL set, the gateway uses PostgreSQL through Tomcat's pool.
set -e
if [ -n "$TOKENROUTER_DB_URL" ]; then
  cp "$CATALINA_HOME/conf/tokenrouter-context.xml" "$CATALINA_HOME/conf/Catalina/localhost/ROOT.xml"
else
  rm -f "$CATALINA_HOME/conf/Catalina/localhost/ROOT.xml"
fi
for f in "${TOKENROUTER_TLS_CERTIFICATE:-/etc/tokenrouter/tls/fullchain.pem}" "${TOKENROUTER_TLS_KEY:-/etc/tokenrouter/tls/privkey.pem}"; do
  [ -r "$f" ] || { echo "TLS: $f is missing or unreadable; mount the PEM files (see tomcat-docker/README.md)" >&2; exit 1; }
done
exec catalina.sh run
