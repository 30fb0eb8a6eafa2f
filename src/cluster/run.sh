#!/usr/bin/env bash
# TokenRouter as a two-node cluster, on 127.0.0.1 only; stops everything it started by itself.
#
#   bash src/cluster/run.sh                 # about 9 minutes; exits non-zero if a check failed
#   CLUSTER_JOB_WINDOW=60 CLUSTER_RECLAIM_BOUND=0 bash src/cluster/run.sh
#                                           # about 4 minutes: watches the scheduled jobs for 60 s only
#                                           # (the 5-minute provider-quota poll is then not seen) and
#                                           # skips checks 6 and 7
#
# It uses the WAR already built at target/tokenrouter.war (copied first, so a rebuild cannot change it
# under the test; `mvn -B package -DskipTests` makes one) and sets up, under target/cluster/run:
#   - PostgreSQL (Debian's package, installed if missing) with a data directory of its own, run as the
#     postgres user;
#   - two Tomcat 10.1.59 nodes (one distribution, two CATALINA_BASEs, ports 18180 and 18181), each with
#     the WAR as the root application, its own TOKENROUTER_HOME and the same DATABASE_URL, secret_key
#     and admin_key;
#   - nginx (Debian's) on port 18190, round robin over both nodes, moving on when a node refuses;
#   - the fake OpenAI-compatible provider (src/test/fake-provider.sh) on port 18191, which counts the chat
#     completions it answers.
# Then it checks, printing figures and PASS/FAIL for each:
#   1. quota   - a team limited to 50 requests, 200 concurrent requests through nginx: exactly 50
#                answered and forwarded, 150 refused with 429 in the OpenAI error envelope;
#   1b. budget - a team budget of $0.0005 (100 answers at the shipped price of gpt-4o-mini), 40 clients
#                through nginx until refused: never exceeded, the answers' x-tokenrouter-cost headers add
#                up to what it counts; alerts - 50, 80 and 100 % each fire once (event and webhook POST);
#   1c. minute - a key limited to 30 requests per minute, 200 concurrent requests: exactly 30 forwarded;
#   2. revoke  - a key revoked on node A is refused by node B within key_cache_ttl;
#      disable - a provider disabled on node A is no longer forwarded to by node B within
#                route_refresh_interval;
#   2b. outage - PostgreSQL stopped (pg_ctl -m immediate) for OUTAGE_SECONDS under 10 clients through nginx
#                with a team key both nodes know: every request answered, none waits on the database,
#                /health/ready says degraded on both nodes; once PostgreSQL is back both journals drain,
#                the log holds one row per request, the provider saw each answer once, and the team's counter
#                is exact. The load is flat out (about 200 requests a second), which uses up a node's
#                allowance (at most 1,000 requests) in seconds, so the team's limit has an outage credit;
#                without one those requests get 503 quota_unavailable (DatabaseOutageIT, QuotaOutageTest);
#   3. jobs    - scheduled jobs take their lease (job_locks) one node at a time while both run;
#   4. failover- node A is killed (SIGKILL) under a load of 20 clients through nginx (half of the
#                requests streamed): clients go on with node B;
#      usage   - every answer a client received completely (a whole body, or a stream up to
#                [DONE]) has its usage record in request_log, found by its x-request-id;
#   5. console - a console sign-in made on node A still works through nginx once A is gone;
#   6. reclaim - the quota reservations node A held when it died are given back by node B;
#      rollups - every logged request of the load is in the hourly aggregates, node A's last ones
#                (logged, not yet aggregated when it died) added by node B;
#   7. takeover- node B takes over the scheduled jobs whose leases A held, once those have run out.
# A summary table closes the run; the exit status is 1 if any check failed (2 if the set-up failed).
# Logs stay in target/cluster/run (nodes' logs and access logs, nginx, PostgreSQL, the raw results).
# Runs as root on Debian (apt-get for what is missing; PostgreSQL runs as the postgres user).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/src/cluster"
WORK="$ROOT/target/cluster"
RUN="$WORK/run"
TOMCAT_VERSION=10.1.59
PORT_A=18180 PORT_B=18181 LB=18190 UPSTREAM=18191 PG_PORT=18192
NODE_A="127.0.0.1:$PORT_A" NODE_B="127.0.0.1:$PORT_B"
export NODE_A NODE_B
JOB_WINDOW=${CLUSTER_JOB_WINDOW:-310}      # seconds after both nodes are up until the kill (check 3)
QUOTA_LIMIT=50 BURST=200
BUDGET_MICROS=500 SPENDERS=40 MINUTE_LIMIT=30
LOAD_CLIENTS=20 LOAD_SECONDS=20 KILL_AFTER=8
OUTAGE_SECONDS=${CLUSTER_OUTAGE_SECONDS:-30} OUTAGE_CLIENTS=10
KEY_CACHE_TTL=5 ROUTE_REFRESH=5
# heartbeat 10 s + node timeout 90 s + one reclaim period 30 s, with some slack
RECLAIM_BOUND=${CLUSTER_RECLAIM_BOUND:-140}   # 0 skips checks 6 and 7
ADMIN_KEY="tr-cluster-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SECRET_KEY="cluster-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DB_PASSWORD="pw$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DATABASE_URL="postgresql://tokenrouter:$DB_PASSWORD@127.0.0.1:$PG_PORT/tokenrouter"
START=$(date +%s)

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
pause() { sleep "$1" & SLEEP_PID=$!; wait $SLEEP_PID; SLEEP_PID=; }  # a long wait that Ctrl-C or kill ends at once
die() { log "ERROR: $*"; exit 2; }

install_tools() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v python3 >/dev/null || missing+=(python3)
  command -v curl >/dev/null || missing+=(curl)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v java >/dev/null || missing+=(default-jre-headless)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  for port in $PORT_A $PORT_B $LB $UPSTREAM $PG_PORT; do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then die "port $port is in use"; fi
  done
}

prepare() {
  rm -rf "$RUN" && mkdir -p "$RUN"
  local war="$ROOT/target/tokenrouter.war"
  for _ in $(seq 1 10); do [ -f "$war" ] && break; log "waiting for $war"; sleep 60; done
  [ -f "$war" ] || die "no WAR at $war: build it with mvn -B package -DskipTests"
  cp "$war" "$RUN/tokenrouter.war"
  log "WAR copied ($(stat -c '%s bytes, built %y' "$war" | cut -d. -f1))"
  local zip=~/.m2/repository/org/apache/tomcat/tomcat/$TOMCAT_VERSION/tomcat-$TOMCAT_VERSION.zip
  if [ ! -f "$zip" ]; then
    zip="$WORK/tomcat-$TOMCAT_VERSION.zip"
    if [ ! -f "$zip" ]; then
      log "downloading Tomcat $TOMCAT_VERSION from Maven Central"
      local url=https://repo.maven.apache.org/maven2/org/apache/tomcat/tomcat/$TOMCAT_VERSION/tomcat-$TOMCAT_VERSION.zip
      curl -sSf -o "$zip.part" "$url"
      [ "$(sha1sum < "$zip.part" | cut -c1-40)" = "$(curl -sSf "$url.sha1" | cut -c1-40)" ] || die "bad Tomcat download"
      mv "$zip.part" "$zip"
    fi
  fi
  unzip -q "$zip" -d "$RUN"
  TOMCAT="$RUN/apache-tomcat-$TOMCAT_VERSION"
  chmod +x "$TOMCAT"/bin/*.sh
  for n in a b; do
    local base="$RUN/node-$n" port=$PORT_A
    [ $n = b ] && port=$PORT_B
    mkdir -p "$base"/{conf,logs,temp,webapps,work,home}
    cp "$TOMCAT"/conf/* "$base/conf/"
    # the one server.xml (the image's), with a node's connector and access log
    cp "$ROOT/tomcat-docker/conf/server.xml" "$HERE/tokenrouter-host.xml" "$base/conf/"
    sed "s/@PORT@/$port/" "$HERE/tokenrouter-connectors.xml" > "$base/conf/tokenrouter-connectors.xml"
    cp "$RUN/tokenrouter.war" "$base/webapps/ROOT.war"
    # node-specific: only the home; the cluster-wide settings come from the environment (start_node)
    cat > "$base/home/tokenrouter.toml" <<EOF
key_cache_ttl = "${KEY_CACHE_TTL}s"
route_refresh_interval = "${ROUTE_REFRESH}s"
trusted_proxies = ["127.0.0.1"]
EOF
  done
  mkdir -p "$RUN"/nginx-temp && chmod 777 "$RUN"/nginx-temp
  sed -e "s#@DIR@#$RUN#g" -e "s/@PORT@/$LB/" -e "s/@NODE_A@/$NODE_A/" -e "s/@NODE_B@/$NODE_B/" \
    "$HERE/nginx.conf" > "$RUN/nginx.conf"
}

pg() { local cmd=$1; shift; runuser -u postgres -- "$PG_BIN/$cmd" "$@"; }
psql_admin() { runuser -u postgres -- "$PG_BIN/psql" -h "$RUN/pg" -p $PG_PORT -d tokenrouter -X -q -v ON_ERROR_STOP=1 "$@"; }

start_postgres() {
  mkdir -p "$RUN/pg" && chown postgres "$RUN/pg"
  pg initdb -D "$RUN/pg/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  cat >> "$RUN/pg/data/postgresql.conf" <<EOF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN/pg'
max_connections = 200
log_line_prefix = '%m [%p] %a '
EOF
  pg pg_ctl -D "$RUN/pg/data" -l "$RUN/pg/postgresql.log" -w start >/dev/null
  PG_STARTED=1
  runuser -u postgres -- "$PG_BIN/psql" -h "$RUN/pg" -p $PG_PORT -X -q -v ON_ERROR_STOP=1 \
    -c "create role tokenrouter login password '$DB_PASSWORD'" -c "create database tokenrouter owner tokenrouter"
  # every data-changing statement with its parameters, so check 3 can see which node tried which lease
  psql_admin -c "alter system set log_statement = 'mod'" -c "select pg_reload_conf()" >/dev/null
  log "PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$PG_PORT"
}

start_node() {  # start_node a|b: the node's java process is the one catalina.sh execs
  local n=$1 base="$RUN/node-$1"
  CATALINA_HOME="$TOMCAT" CATALINA_BASE="$base" CATALINA_PID="" \
    CATALINA_OPTS="-Xms256m -Xmx768m -Djava.util.concurrent.ForkJoinPool.common.parallelism=4" \
    TOKENROUTER_HOME="$base/home" DATABASE_URL="$DATABASE_URL" \
    TOKENROUTER_SECRET_KEY="$SECRET_KEY" TOKENROUTER_ADMIN_KEY="$ADMIN_KEY" \
    "$TOMCAT/bin/catalina.sh" run > "$base/logs/catalina.out" 2>&1 &
  if [ $n = a ]; then PID_A=$!; else PID_B=$!; fi
}

wait_node() {  # wait_node PORT PID: up when /v1/models asks for a key
  for _ in $(seq 1 240); do
    [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$1/v1/models")" = 401 ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 1
  done
  tail -50 "$RUN"/node-*/logs/catalina.out >&2
  die "node on port $1 did not come up"
}

start() {
  bash "$ROOT/src/test/fake-provider.sh" --prepare
  bash "$ROOT/src/test/fake-provider.sh" $UPSTREAM >/dev/null & UPSTREAM_PID=$!
  for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$UPSTREAM/count" && break; sleep 0.2; done
  nginx -c "$RUN/nginx.conf" && NGINX_STARTED=1
  # both nodes start together on the empty database: they seed the configured admin key and providers one
  # after the other (the startup lock), and neither may fail
  NODE_A_STARTED=$(date +%s.%N)
  start_node a
  start_node b
  wait_node $PORT_A "$PID_A"
  wait_node $PORT_B "$PID_B"
  NODES_UP=$(date +%s.%N)
  log "node A pid $PID_A on $PORT_A, node B pid $PID_B on $PORT_B, nginx on $LB ($(( $(date +%s) - START )) s)"
  # check 3 watches the leases from now until node A is killed
  start_sampler
}

start_sampler() {  # the lease sampler of checks 3 and 7 (its one psql session ends with an outage: started again after it)
  python3 "$HERE/cluster.py" sample-jobs runuser -u postgres -- "$PG_BIN/psql" -h "$RUN/pg" -p $PG_PORT -d tokenrouter -X \
    >> "$RUN/job-samples.txt" 2>>"$RUN/job-sampler.err" & SAMPLER_PID=$!
}

check_outage() {
  echo; echo "== 2b. outage: PostgreSQL stopped (immediate) for ${OUTAGE_SECONDS} s under $OUTAGE_CLIENTS clients through nginx"
  local team key before after start stop_at back_at used waited=0 pending
  team=$(api POST $PORT_A teams '{"name":"outage-team","quotas":[{"metric":"requests","period":"total","limit":1000000000,"outage_credit":1000000}]}' | json 'd["id"]')
  key=$(api POST $PORT_A keys "{\"name\":\"outage-key\",\"role\":\"inferrer\",\"team_id\":$team}" | json 'd["key"]')
  # the key is used on both nodes before the outage, so both have it in their caches
  [ "$(chat_status $PORT_A "$key" main/gpt-4o-mini)$(chat_status $PORT_B "$key" main/gpt-4o-mini)" = 200200 ] \
    || die "the outage key is not served by both nodes"
  kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
  before=$(upstream_count main)
  start=$(date +%s.%N)
  python3 "$HERE/cluster.py" soak "http://127.0.0.1:$LB/v1" "$key" main/gpt-4o-mini $OUTAGE_CLIENTS $((OUTAGE_SECONDS + 20)) \
    "$RUN/outage.jsonl" & LOAD_PID=$!
  sleep 8
  stop_at=$(date +%s.%N)
  pg pg_ctl -D "$RUN/pg/data" -m immediate -w stop >/dev/null
  log "PostgreSQL stopped"
  pause $((OUTAGE_SECONDS / 2))
  curl -s -m 10 -w ' %{http_code}' "http://127.0.0.1:$PORT_A/health/ready" > "$RUN/outage-ready-a.txt"
  curl -s -m 10 -w ' %{http_code}' "http://127.0.0.1:$PORT_B/health/ready" > "$RUN/outage-ready-b.txt"
  pause $((OUTAGE_SECONDS - OUTAGE_SECONDS / 2))
  pg pg_ctl -D "$RUN/pg/data" -l "$RUN/pg/postgresql.log" -w start >/dev/null
  back_at=$(date +%s.%N)
  log "PostgreSQL started again"
  { wait "$LOAD_PID"; } 2>/dev/null; LOAD_PID=
  start_sampler
  while :; do
    pending=$(( $(curl -s -m 10 "http://127.0.0.1:$PORT_A/health/ready" | json 'd["journal"]["pending_records"]') \
      + $(curl -s -m 10 "http://127.0.0.1:$PORT_B/health/ready" | json 'd["journal"]["pending_records"]') ))
    ((pending == 0 || waited >= 120)) && break
    sleep 1; waited=$((waited + 1))
  done
  echo "  both journals stored $waited s after the load ended (records still pending: $pending)"
  sleep 3  # the nodes write their allowances back every second
  after=$(upstream_count main)
  # (less the two requests that put the key in both nodes' caches)
  used=$(psql_admin -At -c "select used - 2 from quotas where owner_type <> 'key' and owner_id = $team and metric = 'requests'")
  psql_admin -At -c "select request_id from request_log where created_at >= to_timestamp($start - 5)" > "$RUN/outage-logged-ids.txt"
  python3 "$HERE/cluster.py" report-outage "$RUN/outage.jsonl" "$stop_at" "$back_at" "$RUN/outage-logged-ids.txt" \
    "$((after - before))" "$used" "$RUN/outage-ready-a.txt" "$RUN/outage-ready-b.txt" > "$RUN/report-outage.txt"
  result "$RUN/report-outage.txt"
}

stop() {
  local rc=$?
  set +e
  [ -n "${SLEEP_PID:-}" ] && kill "$SLEEP_PID" 2>/dev/null
  [ -n "${SAMPLER_PID:-}" ] && kill "$SAMPLER_PID" 2>/dev/null
  [ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null
  for pid in ${PID_A:-} ${PID_B:-}; do kill "$pid" 2>/dev/null; done
  for pid in ${PID_A:-} ${PID_B:-}; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
  done
  [ -n "${NGINX_STARTED:-}" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null
  [ -n "${UPSTREAM_PID:-}" ] && kill "$UPSTREAM_PID" 2>/dev/null
  [ -n "${PG_STARTED:-}" ] && pg pg_ctl -D "$RUN/pg/data" -m fast -w stop >/dev/null 2>&1
  wait 2>/dev/null
  exit $rc
}
trap stop EXIT
trap 'exit 130' INT TERM

api() {  # api METHOD PORT PATH [BODY]: the management API as the admin
  curl -s -m 30 -X "$1" "http://127.0.0.1:$2/api/$3" -H "Authorization: Bearer $ADMIN_KEY" \
    -H 'Content-Type: application/json' ${4:+-d "$4"}
}
json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }
upstream_count() { curl -s "http://127.0.0.1:$UPSTREAM/count" | json "d['by_provider'].get('$1', 0)"; }
chat_status() {  # chat_status PORT KEY MODEL
  curl -s -o /dev/null -m 30 -w '%{http_code}' "http://127.0.0.1:$1/v1/chat/completions" \
    -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    -d "{\"model\":\"$3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
}

declare -a SUMMARY=()
result() {  # result FILE: prints the report and keeps its RESULT lines for the summary
  local line
  while IFS= read -r line; do
    if [[ $line == RESULT* ]]; then SUMMARY+=("${line#RESULT }"); printf '  => %s\n' "${line#RESULT }"; else printf '%s\n' "$line"; fi
  done < "$1"
}
record() { SUMMARY+=("$*"); printf '  => %s\n' "$*"; }

configure() {
  log "adding the fake provider twice (main, spare) through node A's management API"
  api POST $PORT_A providers "{\"name\":\"main\",\"base_url\":\"http://127.0.0.1:$UPSTREAM/v1\",\"api_key\":\"sk-fake\"}" >/dev/null
  api POST $PORT_A providers "{\"name\":\"spare\",\"base_url\":\"http://127.0.0.1:$UPSTREAM/spare/v1\",\"api_key\":\"sk-fake\"}" >/dev/null
  api GET $PORT_A providers | json '", ".join(p["name"] + (" enabled" if p["enabled"] else " disabled") for p in d["data"])' >&2
  for port in $PORT_A $PORT_B; do
    for _ in $(seq 1 60); do
      [ "$(chat_status $port "$ADMIN_KEY" main/gpt-4o-mini)" = 200 ] && [ "$(chat_status $port "$ADMIN_KEY" spare/gpt-4o-mini)" = 200 ] && break
      sleep 0.5
    done
    [ "$(chat_status $port "$ADMIN_KEY" main/gpt-4o-mini)" = 200 ] || die "node on $port does not route to the fake provider"
  done
}

check_quota() {
  echo; echo "== 1. quota: a team limited to $QUOTA_LIMIT requests, $BURST concurrent requests through nginx"
  local team key before after
  team=$(api POST $PORT_A teams "{\"name\":\"quota-team\",\"quotas\":[{\"metric\":\"requests\",\"period\":\"total\",\"limit\":$QUOTA_LIMIT}]}" | json 'd["id"]')
  key=$(api POST $PORT_A keys "{\"name\":\"quota-key\",\"role\":\"inferrer\",\"team_id\":$team}" | json 'd["key"]')
  before=$(upstream_count main)
  python3 "$HERE/cluster.py" burst "http://127.0.0.1:$LB/v1" "$key" $BURST main/gpt-4o-mini "$RUN/burst.json"
  after=$(upstream_count main)
  sleep 1
  local row
  row=$(psql_admin -At -F'|' -c "select limit_value, used, reserved from quotas where owner_type <> 'key' and owner_id = $team and metric = 'requests'")
  python3 "$HERE/cluster.py" report-burst "$RUN/burst.json" $QUOTA_LIMIT $((after - before)) "$row" > "$RUN/report-quota.txt"
  result "$RUN/report-quota.txt"
}

check_budget() {
  local dollars
  dollars=$(python3 -c "print($BUDGET_MICROS / 1e6)")
  echo; echo "== 1b. budget: a team budget of \$$dollars (each answer \$0.000005 at the shipped prices of gpt-4o-mini), $SPENDERS clients through nginx until refused"
  local team key before after
  api PATCH $PORT_A settings "{\"alert_webhook_url\":\"http://127.0.0.1:$UPSTREAM/webhook\"}" >/dev/null
  team=$(api POST $PORT_A teams "{\"name\":\"budget-team\",\"quotas\":[{\"metric\":\"cost\",\"period\":\"month\",\"limit\":$dollars}]}" | json 'd["id"]')
  key=$(api POST $PORT_A keys "{\"name\":\"budget-key\",\"role\":\"inferrer\",\"team_id\":$team}" | json 'd["key"]')
  before=$(upstream_count main)
  python3 "$HERE/cluster.py" spend "http://127.0.0.1:$LB/v1" "$key" main/gpt-4o-mini $SPENDERS "$RUN/spend.json"
  after=$(upstream_count main)
  # the alert job looks every 10 s on each node; give both two rounds
  pause 25
  local row
  row=$(psql_admin -At -F'|' -c "select limit_value, used, reserved from quotas where owner_type = 'team' and owner_id = $team and metric = 'cost'")
  psql_admin -At -c "select level || ' ' || message from events where category = 'budget' and actor = 'team ''budget-team''' order by id" > "$RUN/budget-events.txt"
  curl -s "http://127.0.0.1:$UPSTREAM/webhooks" > "$RUN/webhooks.json"
  python3 "$HERE/cluster.py" report-spend "$RUN/spend.json" $BUDGET_MICROS $((after - before)) "$row" \
    "$RUN/budget-events.txt" "$RUN/webhooks.json" > "$RUN/report-budget.txt"
  result "$RUN/report-budget.txt"

  echo; echo "== 1c. minute: a key limited to $MINUTE_LIMIT requests per minute, $BURST concurrent requests through nginx"
  key=$(api POST $PORT_A keys "{\"name\":\"minute-key\",\"role\":\"inferrer\",\"quotas\":[{\"metric\":\"requests\",\"period\":\"minute\",\"limit\":$MINUTE_LIMIT}]}" | json 'd["key"]')
  # all within one minute: start early in it
  while (( 10#$(date +%S) > 40 )); do sleep 1; done
  before=$(upstream_count main)
  python3 "$HERE/cluster.py" burst "http://127.0.0.1:$LB/v1" "$key" $BURST main/gpt-4o-mini "$RUN/minute.json"
  after=$(upstream_count main)
  python3 "$HERE/cluster.py" report-minute "$RUN/minute.json" $MINUTE_LIMIT $((after - before)) > "$RUN/report-minute.txt"
  result "$RUN/report-minute.txt"
}

check_staleness() {
  echo; echo "== 2. staleness: changes made on node A, seen by node B (key_cache_ttl ${KEY_CACHE_TTL}s, route_refresh_interval ${ROUTE_REFRESH}s)"
  local created id key s
  created=$(api POST $PORT_A keys '{"name":"revoked-key","role":"inferrer"}')
  id=$(echo "$created" | json 'd["details"]["id"]')
  key=$(echo "$created" | json 'd["key"]')
  [ "$(chat_status $PORT_B "$key" main/gpt-4o-mini)" = 200 ] || die "the new key does not work on node B"
  python3 "$HERE/cluster.py" until-refused "http://127.0.0.1:$PORT_B/v1" "$key" main/gpt-4o-mini 30 "$RUN/revoke.json" \
    POST "http://127.0.0.1:$PORT_A/api/keys/$id/revoke" "" "$ADMIN_KEY"
  s=$(json 'd["seconds"]' < "$RUN/revoke.json")
  echo "  key used on B, revoked on A; B answered it $(json 'd["ok_before"]' < "$RUN/revoke.json") more time(s), then HTTP $(json 'd["status"]' < "$RUN/revoke.json") after $s s"
  echo "  B's refusal: $(json 'json.dumps(d["body"])[:200]' < "$RUN/revoke.json")"
  record "revoke $(python3 -c "print('PASS' if '$s' != 'None' and float('$s') <= $KEY_CACHE_TTL + 0.5 else 'FAIL')") refused on B $s s after the revocation on A (bound ${KEY_CACHE_TTL} s)"

  local before after
  [ "$(chat_status $PORT_B "$ADMIN_KEY" spare/gpt-4o-mini)" = 200 ] || die "node B does not route spare/gpt-4o-mini"
  python3 "$HERE/cluster.py" until-refused "http://127.0.0.1:$PORT_B/v1" "$ADMIN_KEY" spare/gpt-4o-mini 30 "$RUN/disable.json" \
    PATCH "http://127.0.0.1:$PORT_A/api/providers/spare" '{"enabled":false}' "$ADMIN_KEY"
  s=$(json 'd["seconds"]' < "$RUN/disable.json")
  before=$(upstream_count spare)
  for _ in 1 2 3 4 5; do chat_status $PORT_B "$ADMIN_KEY" spare/gpt-4o-mini >/dev/null; done
  after=$(upstream_count spare)
  echo "  spare/gpt-4o-mini used on B, provider disabled on A; B forwarded it $(json 'd["ok_before"]' < "$RUN/disable.json") more time(s), then HTTP $(json 'd["status"]' < "$RUN/disable.json") after $s s"
  echo "  B's refusal: $(json 'json.dumps(d["body"])[:200]' < "$RUN/disable.json")"
  echo "  5 more requests on B afterwards reached the provider $((after - before)) time(s)"
  record "disable $(python3 -c "print('PASS' if '$s' != 'None' and float('$s') <= $ROUTE_REFRESH + 0.5 and $after == $before else 'FAIL')") not forwarded by B $s s after the provider was disabled on A (bound ${ROUTE_REFRESH} s)"
}

# The console check signs in on node A before the kill and looks again through nginx after it.
COOKIES="$RUN/console-cookies.txt"
console_page() {  # console_page URL [-L]: "status final-url" of a console page with the signed-in cookies
  curl -s -m 30 -b "$COOKIES" ${2:-} -o "$RUN/console-page.html" -w '%{http_code} %{url_effective}' "$1"
}
is_console_page() { ! grep -q 'id="signin"' "$RUN/console-page.html" && grep -q 'TokenRouter' "$RUN/console-page.html"; }

console_sign_in() {
  echo; echo "== 5a. console: sign in on node A"
  curl -s -m 30 -c "$COOKIES" -b "$COOKIES" -o "$RUN/signin.html" "http://127.0.0.1:$PORT_A/admin/signin.xhtml"
  mapfile -t form < <(python3 "$HERE/cluster.py" signin-form "$RUN/signin.html" "$ADMIN_KEY")
  local answer
  answer=$(curl -s -m 30 -c "$COOKIES" -b "$COOKIES" -o /dev/null -w '%{http_code} %{redirect_url}' \
    "http://127.0.0.1:$PORT_A${form[0]}" "${form[@]:1}")
  echo "  sign-in form posted: HTTP $answer"
  local page
  page=$(console_page "http://127.0.0.1:$PORT_A/admin/index.xhtml")
  CONSOLE_BEFORE=no
  if [ "${page%% *}" = 200 ] && is_console_page; then CONSOLE_BEFORE=yes; fi
  echo "  status page on A: HTTP ${page%% *}, the page itself: $CONSOLE_BEFORE"
  local seen=0
  for _ in 1 2 3 4; do
    page=$(console_page "http://127.0.0.1:$LB/admin/index.xhtml")
    if [ "${page%% *}" = 200 ] && is_console_page; then seen=$((seen + 1)); fi
  done
  echo "  status page through nginx (round robin over A and B) before the kill: the page $seen of 4 times"
}

check_jobs() {
  local now wait
  now=$(date +%s.%N)
  wait=$(python3 -c "print(max(0, int($NODES_UP + $JOB_WINDOW - $now)))")
  echo; echo "== 3. jobs: leases in job_locks while both nodes run"
  if ((wait > 0)); then log "watching the leases $wait s more (until $JOB_WINDOW s after the nodes started)"; pause "$wait"; fi
  # the sampler goes on (check 7 shows the take-over after the kill); the statement log stops here
  psql_admin -c "alter system set log_statement = 'none'" -c "select pg_reload_conf()" >/dev/null
  cp "$RUN/job-samples.txt" "$RUN/job-samples-both.txt"
  python3 "$HERE/cluster.py" report-jobs "$RUN/job-samples-both.txt" "$RUN/pg/postgresql.log" "$PID_A=A,$PID_B=B" \
    "$NODE_A_STARTED" > "$RUN/report-jobs.txt"
  result "$RUN/report-jobs.txt"
  echo "  gateway_nodes:"
  psql_admin -At -F' ' -c "select '   ', name, 'last seen', round(extract(epoch from clock_timestamp() - last_seen)::numeric, 1), 's ago' from gateway_nodes order by started_at"
}

check_failover() {
  echo; echo "== 4. failover: node A killed (SIGKILL) ${KILL_AFTER} s into $LOAD_CLIENTS clients x ${LOAD_SECONDS} s through nginx"
  local team key start kill_at
  team=$(api POST $PORT_B teams '{"name":"load-team","quotas":[{"metric":"requests","period":"total","limit":1000000000}]}' | json 'd["id"]')
  key=$(api POST $PORT_B keys "{\"name\":\"load-key\",\"role\":\"inferrer\",\"team_id\":$team}" | json 'd["key"]')
  LOAD_TEAM=$team
  # check 7 needs node A to hold a job lease when it dies: wait (at most 65 s, two quota-reclaim
  # periods) for one that outlasts the kill; nodes started together often keep the same winner
  local held=0
  for _ in $(seq 1 65); do
    held=$(psql_admin -At -c "select count(*) from job_locks where owner like '$PID_A@%' and name in ('key-cleanup', 'quota-reclaim') and locked_until > now() + interval '$((KILL_AFTER + 3)) seconds'")
    [ "$held" -gt 0 ] && break
    sleep 1
  done
  echo "  job leases node A holds that outlast the kill: $held"
  start=$(date +%s.%N)
  python3 "$HERE/cluster.py" soak "http://127.0.0.1:$LB/v1" "$key" main/gpt-4o-mini $LOAD_CLIENTS $LOAD_SECONDS "$RUN/soak.jsonl" & LOAD_PID=$!
  sleep $KILL_AFTER
  kill_at=$(date +%s.%N)
  kill -9 "$PID_A"
  KILL_AT=$kill_at KILLED=$PID_A
  log "node A (pid $PID_A) killed"
  { wait "$LOAD_PID"; } 2>/dev/null; LOAD_PID=   # (quiet: bash would report node A's death here)
  { wait "$PID_A"; } 2>/dev/null || true; PID_A=
  # node B's usage writer stores what it has within a fraction of a second; give it a few
  sleep 3
  psql_admin -At -c "select request_id from request_log where created_at >= to_timestamp($start - 5)" > "$RUN/logged-ids.txt"
  curl -s "http://127.0.0.1:$UPSTREAM/requests" > "$RUN/upstream-requests.json"
  python3 "$HERE/cluster.py" report-soak "$RUN/soak.jsonl" "$kill_at" "$RUN/logged-ids.txt" "$RUN/upstream-requests.json" \
    "$RUN/missing-usage.txt" > "$RUN/report-soak.txt"
  result "$RUN/report-soak.txt"
  echo "  nginx's error log:"
  sed -E 's/^[0-9\/: ]+\[[a-z]+\] [0-9#]+: \*[0-9]+ //; s/, client:.*//' "$RUN/nginx-error.log" | sort | uniq -c | sort -rn | sed 's/^/  /'
}

check_reclaim() {
  echo; echo "== 6. reclaim: the load team's quota reservations left by the dead node (given back after 90 s without heartbeat)"
  local q="select used || ' ' || reserved from quotas where owner_type <> 'key' and owner_id = $LOAD_TEAM and metric = 'requests'"
  local row first seen waited=0 forwarded
  first=$(psql_admin -At -c "$q")
  seen=$(psql_admin -At -c "select round(extract(epoch from last_seen)::numeric, 3) from gateway_nodes where name like '$KILLED@%'")
  echo "  right after the load: used ${first% *}, reserved ${first#* } (requests A had reserved and never settled)"
  echo "  node A's last heartbeat: $(python3 -c "print('%.1f' % ($KILL_AT - $seen))") s before the kill"
  if [ "${first#* }" = 0 ]; then record "reclaim PASS nothing was left reserved"; return; fi
  while :; do
    row=$(psql_admin -At -c "$q")
    [ "${row#* }" = 0 ] && break
    waited=$(python3 -c "print(int($(date +%s.%N) - $KILL_AT))")
    ((waited < RECLAIM_BOUND + 10)) || break
    sleep 2
  done
  local after
  after=$(python3 -c "print('%.0f' % ($(date +%s.%N) - $KILL_AT))")
  forwarded=$(python3 -c "import json; print(sum(1 for r in json.load(open('$RUN/upstream-requests.json')) if r['provider'] == 'main' and r['started'] >= $KILL_AT - $KILL_AFTER - 1))")
  echo "  reserved ${row#* } again $after s after the kill; used ${row% *} for $forwarded requests forwarded to the provider during the load"
  if [ "${row#* }" = 0 ] && ((after <= RECLAIM_BOUND)); then
    record "reclaim PASS ${first#* } reservations of the dead node given back $after s after the kill (bound $RECLAIM_BOUND s)"
  else
    record "reclaim FAIL ${row#* } of ${first#* } reservations still held $after s after the kill (bound $RECLAIM_BOUND s)"
  fi
}

check_rollups() {
  echo; echo "== 6b. aggregates: the load team's logged requests are all in the hourly aggregates, the dead node's included"
  # node A's last rows may have been logged but not yet aggregated when it died; B adds them from the log
  # once A's heartbeat and mark are 90 s old (its sweep runs every 30 s)
  local logged summed waited=0
  while :; do
    logged=$(psql_admin -At -c "select count(*) from request_log where team_id = $LOAD_TEAM and outcome <> 'refused'")
    summed=$(psql_admin -At -c "select coalesce(sum(requests), 0) from usage_rollup where bucket_seconds = 3600 and dim = 'team' and dim_id = $LOAD_TEAM")
    [ "$logged" = "$summed" ] && break
    waited=$(python3 -c "print(int($(date +%s.%N) - $KILL_AT))")
    ((waited < RECLAIM_BOUND + 30)) || break
    sleep 2
  done
  local taken
  taken=$(psql_admin -At -c "select count(*) from rollup_marks m join gateway_nodes n on n.node_id = m.node_id where n.name like '$KILLED@%' and m.taken_over")
  echo "  $logged requests logged, $summed in the aggregates; node A's mark taken over: $taken"
  if [ "$logged" = "$summed" ]; then
    record "rollups PASS $summed of $logged logged requests in the aggregates $(python3 -c "print('%.0f' % ($(date +%s.%N) - $KILL_AT))") s after the kill (A's mark taken over: $taken)"
  else
    record "rollups FAIL $summed of $logged logged requests in the aggregates"
  fi
}

check_takeover() {
  echo; echo "== 7. takeover: the scheduled jobs' leases after node A died"
  # a lease A took just before it died runs 50 s (key-cleanup), and B tries once a minute
  local left
  left=$(python3 -c "print(max(0, int($KILL_AT + 115 - $(date +%s.%N))))")
  if ((left > 0)); then log "watching the leases $left s more"; pause "$left"; fi
  kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
  python3 "$HERE/cluster.py" report-takeover "$RUN/job-samples.txt" "$KILL_AT" "$KILLED=A,$PID_B=B" > "$RUN/report-takeover.txt"
  result "$RUN/report-takeover.txt"
}

check_console_after() {
  echo; echo "== 5b. console: the same sign-in through nginx with node A gone"
  local page
  page=$(console_page "http://127.0.0.1:$LB/admin/index.xhtml")
  echo "  status page through nginx: HTTP ${page%% *} (no redirect followed)"
  page=$(console_page "http://127.0.0.1:$LB/admin/index.xhtml" -L)
  local ok=no
  if [ "${page%% *}" = 200 ] && is_console_page; then ok=yes; fi
  echo "  following redirects: HTTP ${page%% *} at ${page#* }; the status page: $ok"
  if [ "$CONSOLE_BEFORE" = yes ] && [ $ok = yes ]; then
    record "console PASS signed in on A, status page answered by B after A died"
  else
    record "console FAIL signed in on A (page on A: $CONSOLE_BEFORE); after A died B answered ${page%% *} at ${page#*:$LB}"
  fi
}

summary() {
  echo; echo "== summary ($(( $(date +%s) - START )) s; logs and raw results in $RUN)"
  local failed=0 line
  printf '  %-9s %-5s %s\n' check result figures
  for line in "${SUMMARY[@]}"; do
    read -r name verdict rest <<< "$line"
    printf '  %-9s %-5s %s\n' "$name" "$verdict" "$rest"
    [ "$verdict" = PASS ] || [ "$verdict" = n/a ] || failed=1   # n/a: nothing to check in this run
  done
  return $failed
}

install_tools
prepare
start_postgres
start
configure
check_quota
check_budget
check_staleness
console_sign_in
check_outage
check_jobs
check_failover
check_console_after
if ((RECLAIM_BOUND > 0)); then check_reclaim; check_rollups; check_takeover; fi
summary
