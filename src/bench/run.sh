#!/usr/bin/env bash
# TokenRouter load benchmark, on 127.0.0.1 only; stops by itself.
#
#   bash src/bench/run.sh            # full run (about 30 minutes), report in src/bench/RESULTS.md
#   BENCH_DURATION=5 BENCH_CONCURRENCY="1 16" BENCH_LONG_STREAMS=200 BENCH_WARMUP_ROUNDS=3 bash src/bench/run.sh   # quick look
#
# It compares, side by side and in the same run:
#   direct  - wrk against nginx serving a static OpenAI answer (the physical limit on this machine)
#   nginx   - wrk against nginx as a plain reverse proxy (proxy_pass, keep-alive) to that answer
# The cases: chat completions (non-streaming and streaming), embeddings, and Anthropic's Messages API to a native
# provider ("messages": direct and nginx call that provider's static answer) and translated to an OpenAI-compatible
# one ("messages-translated": direct and nginx call the chat answer the gateway translates); BENCH_CASES picks some.
#   gateway - wrk against the TokenRouter WAR in a stock Tomcat 10.1 (no JVM options) with a real
#             inferrer key under a per-minute limit, of a team with request and token quotas and a budget
#             in dollars, usage recording and analytics on: the configuration users run (and, for
#             non-streaming chat, the admin key, which no limit governs, beside it),
#             once on the embedded H2 and once on PostgreSQL (Debian's, on loopback, default settings)
# and measures the gateway's CPU time per request from /proc, its threads, RSS and heap.
# BENCH_DATABASES="h2" (or "postgres") runs one of them only.
#   peer    - the same cells (chat, streams, embeddings) through a peer gateway on the same nginx answers, in the same
#             run: Portkey's open-source gateway (npm, version pinned below) on Node.js, keys and limits off as it ships;
#             BENCH_PEERS="" leaves it out (it needs npm, and the npm registry to install it).
# BENCH_WAR=path measures that WAR instead of building one; BENCH_EXTRAS=0 runs the load cells only (no first-event
# probe, profile, long streams or client comparison); BENCH_OUT=dir keeps the raw results there and writes no
# report. src/bench/compare.sh uses these to measure two WARs, before and after a change, in one run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/src/bench"
WORK="${BENCH_OUT:-$ROOT/target/bench}"
DURATION=${BENCH_DURATION:-10}
LEVELS=${BENCH_CONCURRENCY:-"1 16 64 256"}
LONG_STREAMS=${BENCH_LONG_STREAMS:-1000}
DATABASES=${BENCH_DATABASES:-"h2 postgres"}
EXTRAS=${BENCH_EXTRAS:-1}
CASES=${BENCH_CASES:-"chat stream embeddings messages messages-translated"}
PEERS=${BENCH_PEERS-portkey}
PORTKEY_VERSION=1.15.2
PG_PORT=18084
TOMCAT_VERSION=10.1.59
GW=18080 DIRECT=18081 PROXY=18082 PACED=18083 PEER=18085
ADMIN_KEY="tr-bench-admin-0123456789abcdef"

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

install_tools() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v python3 >/dev/null || missing+=(python3)
  command -v curl >/dev/null || missing+=(curl)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v ss >/dev/null || missing+=(iproute2)
  if [[ " $DATABASES " == *" postgres "* ]] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
  fi
  if [ -n "$PEERS" ] && ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
  fi
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

prepare() {
  rm -rf "$WORK" && mkdir -p "$WORK"
  if [ -z "${BENCH_WAR:-}" ]; then
    log "building the WAR"
    (cd "$ROOT" && mvn -B -q package -DskipTests)
  fi
  log "fetching Tomcat $TOMCAT_VERSION"
  (cd "$ROOT" && mvn -B -q dependency:copy -Dartifact=org.apache.tomcat:tomcat:$TOMCAT_VERSION:zip -DoutputDirectory="$WORK")
  unzip -q "$WORK/tomcat-$TOMCAT_VERSION.zip" -d "$WORK"
  TOMCAT="$WORK/apache-tomcat-$TOMCAT_VERSION"
  chmod +x "$TOMCAT"/bin/*.sh
  rm -rf "$TOMCAT"/webapps/*
  cp "${BENCH_WAR:-$ROOT/target/tokenrouter.war}" "$TOMCAT/webapps/ROOT.war"
  # the one server.xml of the project (the image's), with the bench's connector and no access log, like the
  # nginx references (access_log off)
  cp "$ROOT/tomcat-docker/conf/server.xml" "$TOMCAT/conf/server.xml"
  printf '<Connector port="%s" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"\n           maxParameterCount="1000" encodedSolidusHandling="decode" />\n' "$GW" \
    > "$TOMCAT/conf/tokenrouter-connectors.xml"
  echo "<!-- no access log -->" > "$TOMCAT/conf/tokenrouter-host.xml"
  # a stock Tomcat: no JVM options; the gateway's home comes from the environment
  echo "export TOKENROUTER_HOME=\"$WORK/home\"" > "$TOMCAT/bin/setenv.sh"
  sed "s#@DIR@#$WORK#g" "$HERE/nginx.conf" > "$WORK/nginx.conf"
  if [ -n "$PEERS" ]; then
    log "installing Portkey's gateway $PORTKEY_VERSION from npm"
    npm install --prefix "$WORK/portkey" --no-audit --no-fund --loglevel=error "@portkey-ai/gateway@$PORTKEY_VERSION" >/dev/null \
      || { log "Portkey could not be installed: no peer in this run"; PEERS=; }
  fi
}

# The peer gateway (its npm package's server, web console off), on the first database's pass (it keeps nothing in a
# database)
start_peer() {
  node "$WORK/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" --port=$PEER --headless \
    > "$WORK/portkey.log" 2>&1 & PEER_PID=$!
  for _ in $(seq 1 60); do curl -s -o /dev/null "http://127.0.0.1:$PEER/" && break; sleep 0.5; done
  log "Portkey $PORTKEY_VERSION up (pid $PEER_PID); warming it up for 20 s"
  BODY=$BODY_CHAT KEY=sk-bench-upstream HEADERS=$(peer_headers v1) \
    wrk -t2 -c16 -d20s -s "$HERE/post.lua" "http://127.0.0.1:$PEER/v1/chat/completions" >/dev/null
}

# peer_headers BASE: the provider and its address (the static answers under BASE), as Portkey takes them, a line each
peer_headers() {
  printf 'x-portkey-provider: openai\nx-portkey-custom-host: http://127.0.0.1:%s/%s' "$DIRECT" "$1"
}

stop_peer() {
  [ -n "${PEER_PID:-}" ] && kill "$PEER_PID" 2>/dev/null
  PEER_PID=
}

# configure DB: a fresh home for the gateway on the embedded H2 or on PostgreSQL
configure() {
  local db=$1 url=""
  rm -rf "$WORK/home" && mkdir -p "$WORK/home"
  if [ "$db" = postgres ]; then
    start_postgres
    url="database_url = \"postgresql://tokenrouter:bench@127.0.0.1:$PG_PORT/tokenrouter\""
  fi
  cat > "$WORK/home/tokenrouter.toml" <<EOF
$url
admin_key = "$ADMIN_KEY"
default_provider = "bench"
[[providers]]
name = "bench"
base_url = "http://127.0.0.1:$DIRECT/v1"
api_key = "sk-bench-upstream"
[[providers]]
name = "streams"
base_url = "http://127.0.0.1:$DIRECT/sse/v1"
api_key = "sk-bench-upstream"
[[providers]]
name = "claude"
preset = "anthropic"
base_url = "http://127.0.0.1:$DIRECT/anthropic/v1"
api_key = "sk-ant-bench-upstream"
[[providers]]
name = "paced"
base_url = "http://127.0.0.1:$PACED/v1"
api_key = "sk-bench-upstream"
read_timeout = "120s"
EOF
}

# PostgreSQL from Debian's package, in a scratch directory, listening on loopback only, default settings
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"
  runuser -u postgres -- "$bin/initdb" -D "$WORK/pg/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 >/dev/null
  printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_connections = 200\n" \
    $PG_PORT "$WORK/pg" >> "$WORK/pg/data/postgresql.conf"
  runuser -u postgres -- "$bin/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/postgresql.log" -w start >/dev/null
  PG_CTL="$bin/pg_ctl"
  runuser -u postgres -- "$bin/psql" -h "$WORK/pg" -p $PG_PORT -X -q -v ON_ERROR_STOP=1 \
    -c "create role tokenrouter login password 'bench'" -c "create database tokenrouter owner tokenrouter"
  log "PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  if [ -n "${PG_CTL:-}" ]; then
    runuser -u postgres -- "$PG_CTL" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  PG_CTL=
}

start_upstreams() {
  nginx -c "$WORK/nginx.conf"
  bash "$ROOT/src/test/fake-provider.sh" --prepare
  bash "$ROOT/src/test/fake-provider.sh" $PACED >/dev/null & PACED_PID=$!
  for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$PACED/count" && break; sleep 0.2; done
}

start_gateway() {
  "$TOMCAT/bin/catalina.sh" start >/dev/null
  for _ in $(seq 1 90); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$GW/v1/models)" = 401 ] && break
    sleep 1
  done
  GW_PID=$(pgrep -f "catalina.base=$TOMCAT" | head -1)
  log "gateway up (pid $GW_PID)"
}

stop_gateway() {
  # the benchmark's Tomcat has no shutdown port: stop it by its process
  if [ -n "${GW_PID:-}" ]; then
    kill "$GW_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$GW_PID" 2>/dev/null || true
  fi
  GW_PID=
}

stop() {
  set +e
  stop_gateway
  stop_postgres
  [ -f "$WORK/nginx.pid" ] && nginx -c "$WORK/nginx.conf" -s quit 2>/dev/null
  [ -n "${PACED_PID:-}" ] && kill "$PACED_PID" 2>/dev/null
  stop_peer
}
trap stop EXIT

api() { curl -s -X POST "http://127.0.0.1:$GW/api/$1" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' -d "$2"; }

create_key() {
  local team
  # the governed case: a team with request and token quotas and a budget in dollars, a key with a per-minute limit
  team=$(api teams '{"name":"bench","quotas":[{"metric":"requests","period":"day","limit":1000000000000},{"metric":"tokens","period":"month","limit":1000000000000000},{"metric":"cost","period":"month","limit":1000000000}]}' \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
  KEY=$(api keys "{\"name\":\"bench-inferrer\",\"role\":\"inferrer\",\"team_id\":$team,\"quotas\":[{\"metric\":\"requests\",\"period\":\"minute\",\"limit\":1000000000}]}" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["key"])')
  # under a budget a model must have a price: the paced upstream's models get gpt-4o-mini's
  local model
  for model in streams/gpt-4o-mini paced/paced-20x0.01 paced/paced-60x1 paced/paced-2x0.001 claude/claude-bench; do
    curl -sf -o /dev/null -X PUT "http://127.0.0.1:$GW/api/prices" -H "Authorization: Bearer $ADMIN_KEY" \
      -H 'Content-Type: application/json' \
      -d "{\"provider\":\"${model%%/*}\",\"model\":\"${model#*/}\",\"input_micros\":150000,\"output_micros\":600000}"
  done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/${1:-$GW_PID}/stat"; }
threads() { awk '/^Threads/ {print $2}' "/proc/${1:-$GW_PID}/status"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/${1:-$GW_PID}/status"; }
heap_after_gc_kb() {
  jcmd "$GW_PID" GC.run >/dev/null 2>&1
  jcmd "$GW_PID" GC.heap_info 2>/dev/null | awk '/garbage-first heap|def new generation|PSYoungGen|total .* used/ {for (i=1;i<=NF;i++) if ($i=="used") {print $(i+1)+0; exit}}'
}

BODY_CHAT='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":64}'
BODY_STREAM='{"model":"streams/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}],"max_tokens":64}'
BODY_EMBED='{"model":"text-embedding-3-small","input":"The quick brown fox"}'
BODY_MESSAGES='{"model":"claude/claude-bench","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}'
BODY_MESSAGES_TRANSLATED='{"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}'

# run_wrk CASE TARGET CONCURRENCY URL BODY KEY: one cell. At c=1 the median moves by a tenth of a millisecond from
# one 10-s run to the next on this kind of machine (where the scheduler places the threads of the chain), so a
# c=1 cell is run three times and keeps the run with the middle median, with the three medians beside it.
run_wrk() {
  local runs=1 i
  (($3 == 1)) && runs=${BENCH_C1_RUNS:-3}
  : > "$WORK/cell.jsonl"
  for i in $(seq 1 $runs); do
    run_wrk_once "$@"
  done
  python3 - "$WORK/cell.jsonl" <<'PY' >> "$WORK/results.jsonl"
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
middle = sorted(runs, key=lambda r: r["p50_us"])[len(runs) // 2]
if len(runs) > 1:
    middle["p50_runs_us"] = [r["p50_us"] for r in runs]
print(json.dumps(middle))
PY
  log "$DB $1 c=$3 $2: $(tail -1 "$WORK/results.jsonl" | python3 -c 'import sys,json; r=json.load(sys.stdin); print("%.0f req/s p50 %.2f ms" % (r["rps"], r["p50_us"]/1000), " ".join("%.2f" % (p / 1000) for p in r.get("p50_runs_us", [])))')"
}

run_wrk_once() {
  local case=$1 target=$2 c=$3 url=$4 body=$5 key=$6 t=2 before after out pid=
  ((c < 2)) && t=1
  [[ $target == gateway* ]] && pid=$GW_PID
  [ "$target" = portkey ] && pid=$PEER_PID
  local groups_before='{}' groups_after='{}'
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  [[ $target == gateway* ]] && groups_before=$(python3 "$HERE/threads.py" "$GW_PID")
  out=$(BODY=$body KEY=$key HEADERS=${HEADERS:-} wrk -t$t -c$c -d${DURATION}s --timeout 10s -s "$HERE/post.lua" "$url" \
    | grep '^RESULT' | cut -c8-)
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  [[ $target == gateway* ]] && groups_after=$(python3 "$HERE/threads.py" "$GW_PID")
  python3 - "$DB" "$case" "$target" "$c" "$out" "${before:-0}" "${after:-0}" "$(getconf CLK_TCK)" \
    "$( [ -n "$pid" ] && threads "$pid" || echo null)" "$( [ -n "$pid" ] && rss_kb "$pid" || echo null)" \
    "$groups_before" "$groups_after" <<'EOF' >> "$WORK/cell.jsonl"
import json, sys
db, case, target, c, out, before, after, hz, threads, rss, g0, g1 = sys.argv[1:]
r = json.loads(out)
r.update(db=db, case=case, target=target, concurrency=int(c), rps=r["requests"] / (r["duration_us"] / 1e6))
if target.startswith("gateway") or target == "portkey":
    n = max(1, r["requests"])
    r["cpu_us_per_request"] = (int(after) - int(before)) * 1e6 / int(hz) / n
    r["threads"], r["rss_kb"] = int(threads), int(rss)
if target.startswith("gateway"):
    g0, g1 = json.loads(g0), json.loads(g1)
    r["cpu_us_by_thread"] = {k: (v - g0.get(k, 0)) * 1e6 / int(hz) / n for k, v in g1.items() if v > g0.get(k, 0)}
print(json.dumps(r))
EOF
}

# seconds the JIT compilers have spent in the gateway so far
jit_seconds() { jstat -compiler "$GW_PID" | awk 'NR == 2 {print $4}'; }

# Warm up in rounds of 20 s (chat, streams, embeddings) until the JIT settles: a round in which the
# compilers spent under 2% of it (0.4 s), at most 12 rounds. On two cores the JIT competes with the
# gateway for minutes; measured before it settles, the figures are those of a JVM still compiling.
warm_up() {
  local round before after started=$SECONDS
  for round in $(seq 1 "${BENCH_WARMUP_ROUNDS:-12}"); do
    before=$(jit_seconds)
    BODY=$BODY_CHAT KEY=$KEY wrk -t2 -c16 -d10s -s "$HERE/post.lua" "http://127.0.0.1:$GW/v1/chat/completions" >/dev/null
    BODY=$BODY_STREAM KEY=$KEY wrk -t2 -c16 -d5s -s "$HERE/post.lua" "http://127.0.0.1:$GW/v1/chat/completions" >/dev/null
    BODY=$BODY_EMBED KEY=$KEY wrk -t2 -c16 -d5s -s "$HERE/post.lua" "http://127.0.0.1:$GW/v1/embeddings" >/dev/null
    after=$(jit_seconds)
    log "warm-up round $round: the JIT compiled for $(python3 -c "print('%.2f' % ($after - $before))") s of 20 s"
    python3 -c "import sys; sys.exit(0 if $after - $before < 0.4 else 1)" && break
  done
  echo "{\"db\": \"$DB\", \"seconds\": $((SECONDS - started)), \"rounds\": $round, \"jit_seconds\": $(jit_seconds)}" \
    >> "${WARMUP_LOG:-$WORK/warmup.jsonl}"
}

load_runs() {
  log "warming up the gateway until the JIT settles"
  warm_up
  for case in $CASES; do
    local path=chat/completions body=$BODY_CHAT upstream=v1/chat/completions upstream_body=$BODY_CHAT base=v1
    [ $case = stream ] && body=$BODY_STREAM upstream=sse/v1/chat/completions upstream_body=${BODY_STREAM/streams\//} base=sse/v1
    [ $case = embeddings ] && path=embeddings body=$BODY_EMBED upstream=v1/embeddings upstream_body=$BODY_EMBED
    [ $case = messages ] && path=messages body=$BODY_MESSAGES upstream=anthropic/v1/messages upstream_body=$BODY_MESSAGES
    [ $case = messages-translated ] && path=messages body=$BODY_MESSAGES_TRANSLATED
    # the peer, with the provider's key as the bearer,
    # measured for a case only when it answers it (its answer otherwise goes into the report)
    local peer_serves= headers
    headers=$(peer_headers "$base")
    if [ -n "${PEER_PID:-}" ] && [[ " chat stream embeddings " == *" $case "* ]]; then
      local answer header curl_headers=()
      while IFS= read -r header; do curl_headers+=(-H "$header"); done <<<"$headers"
      answer=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-bench-upstream' \
        "${curl_headers[@]}" -d "$upstream_body" "http://127.0.0.1:$PEER/v1/$path")
      if [ "$(tail -1 <<<"$answer")" = 200 ] && { [ $case != stream ] || grep -q '^data: \[DONE\]' <<<"$answer"; }; then
        peer_serves=1
      else
        log "Portkey does not answer $case: $(head -c 300 <<<"$answer" | tr '\n' ' ')"
        python3 -c 'import json,sys; print(json.dumps({"case": sys.argv[1], "answer": sys.argv[2][:300]}))' "$case" \
          "$(tr '\n' ' ' <<<"$answer")" >> "$WORK/peer-refused.jsonl"
      fi
    fi
    for c in $LEVELS; do
      run_wrk $case direct "$c" "http://127.0.0.1:$DIRECT/$upstream" "$upstream_body" ""
      run_wrk $case nginx "$c" "http://127.0.0.1:$PROXY/$upstream" "$upstream_body" ""
      run_wrk $case gateway "$c" "http://127.0.0.1:$GW/v1/$path" "$body" "$KEY"
      # the same through the admin key, which no limit governs
      run_wrk $case gateway-admin "$c" "http://127.0.0.1:$GW/v1/$path" "$body" "$ADMIN_KEY"
      if [ -n "$peer_serves" ]; then
        HEADERS=$headers run_wrk $case portkey "$c" "http://127.0.0.1:$PEER/v1/$path" "$upstream_body" "sk-bench-upstream"
      fi
    done
  done
}

# Time to the first streamed event, direct and through the gateway, one request at a time: a new connection per
# request on an upstream that sends 20 events 10 ms apart, then back to back on kept-alive connections.
first_event_probe() {
  local gbody='{"model":"paced/paced-20x0.01","stream":true,"messages":[{"role":"user","content":"hi"}]}'
  python3 "$HERE/first_event.py" new $PACED $GW "$KEY" 200 > "$WORK/first-event-new-$DB.json"
  python3 "$HERE/first_event.py" kept $PACED $GW "$KEY" 2000 > "$WORK/first-event-kept-$DB.json"
  # event spacing as the client sees it: must stay ~10 ms, never batched
  curl -s -N -H 'Content-Type: application/json' -H "Authorization: Bearer $KEY" -d "$gbody" \
    "http://127.0.0.1:$GW/v1/chat/completions" | while IFS= read -r line; do
      if [ -n "$line" ]; then date +%s.%N; fi; done > "$WORK/event-times-$DB.txt"
}

# A JFR CPU profile of non-streaming chat at c=16 for 30 s, after the measured cells (so they are taken without
# it): JFR samples the threads running Java code every 10 ms, and reads every thread's allocated bytes each second. Starting JFR makes the JIT compile JFR's own
# code for a minute or more, so the gateway is warmed up again, with a recording on, before the one kept.
cpu_profile() {
  if ! command -v jfr >/dev/null; then log "no jfr tool in this JDK: no CPU profile"; return; fi
  log "$DB CPU profile (JFR), non-streaming chat at c=16 for 30 s"
  jcmd "$GW_PID" JFR.configure stackdepth=256 >/dev/null
  jcmd "$GW_PID" JFR.start name=warm settings="$HERE/cpu.jfc" >/dev/null
  WARMUP_LOG=/dev/null warm_up
  jcmd "$GW_PID" JFR.stop name=warm >/dev/null
  rm -f "$WORK/cpu-$DB.jfr"
  jcmd "$GW_PID" JFR.start name=cpu settings="$HERE/cpu.jfc" filename="$WORK/cpu-$DB.jfr" >/dev/null
  local user0 sys0 user1 sys1 out
  read -r user0 sys0 < <(awk '{print $14, $15}' "/proc/$GW_PID/stat")
  out=$(BODY=$BODY_CHAT KEY=$KEY wrk -t2 -c16 -d30s --timeout 10s -s "$HERE/post.lua" \
    "http://127.0.0.1:$GW/v1/chat/completions" | grep '^RESULT' | cut -c8-)
  read -r user1 sys1 < <(awk '{print $14, $15}' "/proc/$GW_PID/stat")
  jcmd "$GW_PID" JFR.stop name=cpu >/dev/null
  jfr print --json --events jdk.ThreadAllocationStatistics "$WORK/cpu-$DB.jfr" > "$WORK/allocations-$DB.json"
  jfr print --stack-depth 300 --events jdk.ExecutionSample "$WORK/cpu-$DB.jfr" | python3 "$HERE/profile.py" \
    --wrk "$out" --user-ticks $((user1 - user0)) --system-ticks $((sys1 - sys0)) --hz "$(getconf CLK_TCK)" \
    --allocations "$WORK/allocations-$DB.json" > "$WORK/profile-$DB.json"
}

long_streams() {
  log "$LONG_STREAMS concurrent streams, one event per second for 60 s"
  local before_threads=$(threads)
  python3 "$HERE/streams.py" $GW "$KEY" "$LONG_STREAMS" "paced/paced-60x1" > "$WORK/long-streams.json" &
  local pid=$!
  sleep 30
  local plateau_threads=$(threads) plateau_rss=$(rss_kb) plateau_heap=$(heap_after_gc_kb)
  local open=$(ss -Htn state established "( sport = :$GW )" | wc -l)
  wait $pid
  python3 - "$before_threads" "$plateau_threads" "$plateau_rss" "${plateau_heap:-0}" "$open" "$LONG_STREAMS" <<'EOF' > "$WORK/long-plateau.json"
import json, sys
b, t, rss, heap, open_, n = sys.argv[1:]
print(json.dumps({"threads_before": int(b), "threads_plateau": int(t), "rss_kb": int(rss), "heap_after_gc_kb": int(heap),
                  "open_connections": int(open_), "streams": int(n)}))
EOF
}

install_tools
prepare
start_upstreams
FIRST=1
for DB in $DATABASES; do
  log "== gateway on $DB"
  configure "$DB"
  start_gateway
  create_key
  [ -n "$FIRST" ] && [ -n "$PEERS" ] && start_peer
  load_runs
  stop_peer
  if [ "$EXTRAS" = 0 ]; then
    stop_gateway
    stop_postgres
    continue
  fi
  first_event_probe
  cpu_profile
  if [ -n "$FIRST" ]; then
    long_streams   # threads and memory under many open streams do not depend on the database
    FINAL_HEAP=$(heap_after_gc_kb)
    FIRST=
  fi
  stop_gateway
  stop_postgres
done
if [ "$EXTRAS" = 0 ] || [ -n "${BENCH_OUT:-}" ]; then
  log "results in $WORK/results.jsonl"
  exit 0
fi
log "comparing the upstream clients (JDK HttpClient, Jetty HttpClient) against nginx"
(cd "$ROOT" && mvn -B -q -Pbench test -Dtest=UpstreamClientBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dupstream.url="http://127.0.0.1:$DIRECT/v1/chat/completions" -Dupstream.out="$WORK/clients.jsonl" >"$WORK/clients.log" 2>&1) \
  || log "the client comparison failed: see $WORK/clients.log"
python3 "$HERE/report.py" "$WORK" "$DURATION" "${FINAL_HEAP:-0}" "$DATABASES" "$HERE/RESULTS.md" "$PORTKEY_VERSION" \
  > "$WORK/RESULTS.md" && mv "$WORK/RESULTS.md" "$HERE/RESULTS.md"
log "report written to src/bench/RESULTS.md"
