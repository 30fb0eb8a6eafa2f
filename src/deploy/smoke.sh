#!/usr/bin/env bash
# Deploys the gateway on every server it supports, each a stock distribution from Maven Central, and runs
# the same smoke test on each (src/deploy/smoke.py): the model list, a chat, a streamed chat with the
# arrival time of every event, a 429 from a team quota, 200 open streams against the server's thread count,
# the console's sign-in page, single sign-on through an OpenID Connect provider on loopback, /metrics, the audit
# trail and its chain, and the database /api/status reports.
# 127.0.0.1 only; it stops
# every process it started.
#
#   mvn -B package -DskipTests && bash src/deploy/smoke.sh        # all four, about 5 minutes
#   SERVERS="wildfly payara" bash src/deploy/smoke.sh             # some of them
#   SMOKE_POSTGRES=0 bash src/deploy/smoke.sh                     # every server on its embedded H2
#
# Servers: tomcat10 (10.1, tokenrouter.war, embedded H2), tomcat11 (11.0, tokenrouter.war, PostgreSQL through
# the JNDI DataSource of config-samples/tomcat-context.xml), wildfly (39, tokenrouter-ee.war, PostgreSQL
# through the datasource config-samples/wildfly-datasource.cli creates), payara (6, tokenrouter-ee.war,
# PostgreSQL through the JDBC resource config-samples/payara-jdbc.sh creates). PostgreSQL is Debian's,
# installed with apt-get when missing and run from a data directory under target/deploy.
# The distributions are 15–260 MB; they are fetched once into the local Maven repository.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/src/deploy"
WORK="$ROOT/target/deploy"
SERVERS=${SERVERS:-"tomcat10 tomcat11 wildfly payara"}
USE_POSTGRES=${SMOKE_POSTGRES:-1}
TOMCAT10=10.1.59 TOMCAT11=11.0.24 WILDFLY=39.0.1.Final PAYARA=6.2025.9 PGJDBC=42.7.14
UPSTREAM=28999 PGPORT=28432 OIDC=28998
ADMIN_KEY="tr-smoke-admin-0123456789abcdef0123"
PIDS=()

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -n "${PG_BIN:-}" && -f "$WORK/pg/data/postmaster.pid" ]] \
    && su postgres -c "$PG_BIN/pg_ctl -D $WORK/pg/data -m fast stop" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- tools, distributions, WARs -------------------------------------------------------------------------

install_tools() {
  local missing=()
  command -v python3 >/dev/null || missing+=(python3)
  command -v curl >/dev/null || missing+=(curl)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v openssl >/dev/null || missing+=(openssl)
  if [[ $USE_POSTGRES == 1 ]] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

# fetch GROUP:ARTIFACT:VERSION:TYPE -> path of the file in the local Maven repository
fetch() {
  local g a v t path
  IFS=: read -r g a v t <<<"$1"
  path="$HOME/.m2/repository/${g//.//}/$a/$v/$a-$v.$t"
  [[ -f $path ]] || mvn -B -q dependency:get -Dartifact="$1" -Dtransitive=false >&2
  echo "$path"
}

fresh() { # fresh DIR ZIP: unpacks ZIP into DIR (the archive's single top folder becomes DIR)
  rm -rf "$1" "$1.unzip" && mkdir -p "$1.unzip" && unzip -q "$2" -d "$1.unzip"
  mv "$1.unzip"/* "$1" && rmdir "$1.unzip"
}

wait_healthy() { # wait_healthy URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -sf -o /dev/null --cacert "$WORK/tls/fullchain.pem" "$1/api/health"; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# ---- PostgreSQL -----------------------------------------------------------------------------------------

start_postgres() {
  PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
  rm -rf "$WORK/pg" && mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"
  su postgres -c "$PG_BIN/initdb -D $WORK/pg/data -U postgres --auth=trust" >/dev/null
  su postgres -c "$PG_BIN/pg_ctl -D $WORK/pg/data -l $WORK/pg/log -w -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1' start" >/dev/null
  for db in tomcat11 wildfly payara; do
    su postgres -c "$PG_BIN/psql -h 127.0.0.1 -p $PGPORT -U postgres -qc \"create user $db password 'smoke-$db'\"" >/dev/null
    su postgres -c "$PG_BIN/psql -h 127.0.0.1 -p $PGPORT -U postgres -qc 'create database $db owner $db'" >/dev/null
  done
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
}

# ---- one function per server: start_<server> sets URL, PID, EXPECT_DB; stop_<server> stops it --------

env_for() { # the gateway's configuration, as the servers' JVMs inherit it
  export TOKENROUTER_HOME="$WORK/$1/home" TOKENROUTER_ADMIN_KEY="$ADMIN_KEY"
  export PROVIDER_BASE_URL="http://127.0.0.1:$UPSTREAM/v1" PROVIDER_API_KEY="sk-smoke"
  export TOKENROUTER_SSO_ISSUER="http://127.0.0.1:$OIDC/default" TOKENROUTER_SSO_CLIENT_ID="tokenrouter-smoke"
  export TOKENROUTER_SSO_CLIENT_SECRET="smoke-secret" TOKENROUTER_SSO_ADMIN_GROUPS="tr-admins" SMOKE_OIDC=1
  rm -rf "$TOKENROUTER_HOME" && mkdir -p "$TOKENROUTER_HOME"
}

tomcat() { # tomcat NAME VERSION PORT WITH_POSTGRES
  local dir="$WORK/$1/apache-tomcat-$2"
  fresh "$dir" "$(fetch org.apache.tomcat:tomcat:$2:zip)"
  chmod +x "$dir"/bin/*.sh && rm -rf "$dir/webapps/"*
  sed -i -e 's|<Server port="8005"|<Server port="-1"|' \
         -e "s|<Connector port=\"8080\"|<Connector port=\"$3\" encodedSolidusHandling=\"decode\"|" "$dir/conf/server.xml"
  if [[ $4 == 1 ]]; then
    cp "$(fetch org.postgresql:postgresql:$PGJDBC:jar)" "$dir/lib/"
    mkdir -p "$dir/conf/Catalina/localhost"
    sed -e "s|jdbc:postgresql://db.internal:5432/tokenrouter|jdbc:postgresql://127.0.0.1:$PGPORT/$1|" \
        -e "s|username=\"tokenrouter\" password=\"secret\"|username=\"$1\" password=\"smoke-$1\"|" \
        "$ROOT/config-samples/tomcat-context.xml" >"$dir/conf/Catalina/localhost/ROOT.xml"
    EXPECT_DB="JNDI java:comp/env/jdbc/tokenrouter"
  else
    EXPECT_DB="the embedded default"
  fi
  cp "$ROOT/target/tokenrouter.war" "$dir/webapps/ROOT.war"
  env_for "$1"
  CATALINA_HOME="$dir" CATALINA_BASE="$dir" CATALINA_PID="$dir/pid" "$dir/bin/catalina.sh" start >/dev/null
  PID=$(cat "$dir/pid"); PIDS+=("$PID")
  URL="http://127.0.0.1:$3"
  LOGS="$dir/logs/catalina.out"
}
start_tomcat10() { tomcat tomcat10 $TOMCAT10 28081 0; }
start_tomcat11() { tomcat tomcat11 $TOMCAT11 28082 "$USE_POSTGRES"; }
stop_tomcat() { kill "$PID"; wait_gone "$PID"; }
stop_tomcat10() { stop_tomcat; }
stop_tomcat11() { stop_tomcat; }

start_wildfly() {
  local dir="$WORK/wildfly/wildfly-$WILDFLY"
  fresh "$dir" "$(fetch org.wildfly:wildfly-dist:$WILDFLY:zip)"
  env_for wildfly
  "$dir/bin/standalone.sh" -Djboss.socket.binding.port-offset=200 >"$WORK/wildfly/console.log" 2>&1 &
  PIDS+=($!)
  local deadline=$((SECONDS + 120))
  until "$dir/bin/jboss-cli.sh" --controller=127.0.0.1:10190 -c ":read-attribute(name=server-state)" 2>/dev/null | grep -q running; do
    ((SECONDS < deadline)) || { log "WildFly did not start"; return 1; }
    sleep 1
  done
  PID=$(pgrep -f "jboss.home.dir=$dir" | head -1); PIDS+=("$PID")
  if [[ $USE_POSTGRES == 1 ]]; then
    sed -e "s|/path/to/postgresql-$PGJDBC.jar|$(fetch org.postgresql:postgresql:$PGJDBC:jar)|" \
        -e "s|jdbc:postgresql://db.internal:5432/tokenrouter|jdbc:postgresql://127.0.0.1:$PGPORT/wildfly|" \
        -e "s|--user-name=tokenrouter --password=secret|--user-name=wildfly --password=smoke-wildfly|" \
        "$ROOT/config-samples/wildfly-datasource.cli" >"$WORK/wildfly/datasource.cli"
    "$dir/bin/jboss-cli.sh" --controller=127.0.0.1:10190 -c --file="$WORK/wildfly/datasource.cli" >"$WORK/wildfly/cli.log"
    EXPECT_DB="JNDI java:jboss/datasources/TokenRouter"
  else
    EXPECT_DB="the embedded default"
  fi
  cp "$ROOT/target/tokenrouter-ee.war" "$dir/standalone/deployments/ROOT.war"
  URL="http://127.0.0.1:8280"
  LOGS="$dir/standalone/log/server.log"
}
tls_wildfly() {
  local dir="$WORK/wildfly/wildfly-$WILDFLY"
  openssl pkcs12 -export -in "$WORK/tls/fullchain.pem" -inkey "$WORK/tls/privkey.pem" -name tokenrouter \
    -passout pass:changeit -out "$dir/standalone/configuration/tokenrouter.p12"
  sed -e "s|https://%v:8443|https://%v:8643|" "$ROOT/config-samples/wildfly-tls.cli" >"$WORK/wildfly/tls.cli"
  "$dir/bin/jboss-cli.sh" --controller=127.0.0.1:10190 -c --file="$WORK/wildfly/tls.cli" >"$WORK/wildfly/tls.log"
  HTTPS_URL="https://127.0.0.1:8643" PLAIN=redirected
}
stop_wildfly() { "$WORK/wildfly/wildfly-$WILDFLY/bin/jboss-cli.sh" --controller=127.0.0.1:10190 -c :shutdown >/dev/null 2>&1 || kill "$PID"; wait_gone "$PID"; }

start_payara() {
  local dir="$WORK/payara/payara6" asadmin
  fresh "$dir" "$(fetch fish.payara.distributions:payara:$PAYARA:zip)"
  asadmin="$dir/bin/asadmin"
  "$asadmin" --interactive=false create-domain --nopassword --portbase 28300 smoke >/dev/null
  env_for payara
  if [[ $USE_POSTGRES == 1 ]]; then
    cp "$(fetch org.postgresql:postgresql:$PGJDBC:jar)" "$dir/glassfish/domains/smoke/lib/"
  fi
  "$asadmin" start-domain smoke >/dev/null
  PID=$(pgrep -f "domains/smoke" | head -1); PIDS+=("$PID")
  if [[ $USE_POSTGRES == 1 ]]; then
    ASADMIN="$asadmin --port 28348" PG_HOST=127.0.0.1 PG_PORT=$PGPORT PG_DATABASE=payara PG_USER=payara \
      PG_PASSWORD=smoke-payara bash "$ROOT/config-samples/payara-jdbc.sh" >"$WORK/payara/jdbc.log"
    EXPECT_DB="JNDI jdbc/tokenrouter"
  else
    EXPECT_DB="the embedded default"
  fi
  "$asadmin" --port 28348 deploy --contextroot / --name tokenrouter "$ROOT/target/tokenrouter-ee.war" >/dev/null
  URL="http://127.0.0.1:28380"
  LOGS="$dir/glassfish/domains/smoke/logs/server.log"
}
tls_payara() {
  ASADMIN="$WORK/payara/payara6/bin/asadmin --port 28348" DOMAIN_DIR="$WORK/payara/payara6/glassfish/domains/smoke" \
    HTTPS_PUBLIC_PORT=28381 sh "$ROOT/config-samples/payara-tls.sh" "$WORK/tls/fullchain.pem" "$WORK/tls/privkey.pem" \
    >"$WORK/payara/tls.log" 2>&1
  PID=$(pgrep -f "domains/smoke" | head -1); PIDS+=("$PID")
  HTTPS_URL="https://127.0.0.1:28381" PLAIN=closed HEALTH_URL="https://127.0.0.1:28381"
}
stop_payara() { "$WORK/payara/payara6/bin/asadmin" stop-domain smoke >/dev/null 2>&1 || kill "$PID"; wait_gone "$PID"; }

wait_gone() {
  for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$1" 2>/dev/null || true
}

# ---- run ------------------------------------------------------------------------------------------------

[[ -f "$ROOT/target/tokenrouter.war" && -f "$ROOT/target/tokenrouter-ee.war" ]] \
  || { echo "Build the WARs first: mvn -B package -DskipTests" >&2; exit 2; }
install_tools
mkdir -p "$WORK"
bash "$ROOT/src/test/fake-provider.sh" --prepare
bash "$ROOT/src/test/fake-provider.sh" $UPSTREAM >/dev/null & PIDS+=($!)
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$UPSTREAM/count" && break; sleep 0.2; done
java -cp "$ROOT/target/test-classes:$(cat "$ROOT/target/fake-provider.classpath")" \
  io.tokenrouter.testing.OidcProviderMain $OIDC >/dev/null 2>&1 & PIDS+=($!)
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$OIDC/default/.well-known/openid-configuration" && break; sleep 0.2; done
mkdir -p "$WORK/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/tls/privkey.pem" -out "$WORK/tls/fullchain.pem" 2>/dev/null
[[ $USE_POSTGRES == 1 ]] && start_postgres

declare -A RESULT START CHECK
for server in $SERVERS; do
  log "$server: starting"
  t0=$SECONDS
  if "start_$server" && wait_healthy "$URL" 180; then
    START[$server]=$((SECONDS - t0))
    log "$server: up in ${START[$server]} s at $URL (pid $PID); smoke test"
    t1=$SECONDS
    if python3 "$HERE/smoke.py" check "$URL" "$ADMIN_KEY" "$PID" "$EXPECT_DB"; then RESULT[$server]=pass; else RESULT[$server]=FAIL; fi
    if declare -F "tls_$server" >/dev/null; then
      log "$server: HTTPS as config-samples/ configures it"
      HEALTH_URL=$URL
      if "tls_$server" && wait_healthy "$HEALTH_URL" 180 \
          && python3 "$HERE/smoke.py" tls "$HTTPS_URL" "$URL" "$WORK/tls/fullchain.pem" "$ADMIN_KEY" "$PLAIN"; then :; else RESULT[$server]=FAIL; fi
    fi
    CHECK[$server]=$((SECONDS - t1))
  else
    START[$server]=$((SECONDS - t0)); CHECK[$server]=0; RESULT[$server]="FAIL (did not start; see ${LOGS:-its log})"
    tail -40 "${LOGS:-/dev/null}" >&2 || true
  fi
  "stop_$server" || true
done

printf '\n%-10s %-8s %10s %10s\n' server result "start (s)" "smoke (s)"
failed=0
for server in $SERVERS; do
  printf '%-10s %-8s %10s %10s\n' "$server" "${RESULT[$server]}" "${START[$server]}" "${CHECK[$server]}"
  [[ ${RESULT[$server]} == pass ]] || failed=1
done
exit $failed
