#!/usr/bin/env bash
# Before and after a change, on the same machine in one run: the load cells of run.sh (chat, streams,
# embeddings, the governed inferrer key and the admin key, nginx references beside them) for the WAR of a
# git revision and for the working tree's, in the order before, after, after, before so that a machine that
# drifts over the run favours neither. On 127.0.0.1 only; stops by itself.
#
#   bash src/bench/compare.sh 8539a0e        # about 25 minutes; the table goes into src/bench/RESULTS.md
#   BENCH_DURATION=5 BENCH_ROUNDS=1 bash src/bench/compare.sh HEAD~3   # quick look, report on stdout only
#
# BENCH_DATABASES (default h2), BENCH_CONCURRENCY (default "1 16"), BENCH_DURATION (default 8) as in run.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/src/bench"
WORK="$ROOT/target/compare"
BEFORE=${1:?"usage: compare.sh GIT-REVISION (the before side; the working tree is the after side)"}
ROUNDS=${BENCH_ROUNDS:-2}
export BENCH_DATABASES=${BENCH_DATABASES:-h2} BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-"1 16"}
export BENCH_DURATION=${BENCH_DURATION:-8} BENCH_C1_RUNS=${BENCH_C1_RUNS:-1} BENCH_EXTRAS=0 BENCH_PEERS=

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

git -C "$ROOT" worktree prune
rm -rf "$WORK" && mkdir -p "$WORK"
revision=$(git -C "$ROOT" rev-parse --short "$BEFORE")
log "building the WAR of $revision (before)"
git -C "$ROOT" worktree add -f --detach "$WORK/before-src" "$revision" >/dev/null
trap 'git -C "$ROOT" worktree remove --force "$WORK/before-src" >/dev/null 2>&1 || true' EXIT
(cd "$WORK/before-src" && mvn -B -q package -DskipTests) && cp "$WORK/before-src/target/tokenrouter.war" "$WORK/before.war"
log "building the WAR of the working tree (after)"
(cd "$ROOT" && mvn -B -q package -DskipTests) && cp "$ROOT/target/tokenrouter.war" "$WORK/after.war"

order=()
for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then order+=("before:$round" "after:$round"); else order+=("after:$round" "before:$round"); fi
done
for entry in "${order[@]}"; do
  side=${entry%%:*} round=${entry##*:}
  log "== $side, round $round"
  BENCH_WAR="$WORK/$side.war" BENCH_OUT="$WORK/run-$side-$round" bash "$HERE/run.sh"
done

report=$(python3 "$HERE/compare.py" "$WORK" "$revision" "$(git -C "$ROOT" rev-parse --short HEAD)" \
  "$(git -C "$ROOT" status --porcelain | grep -q . && echo dirty || echo clean)" "$BENCH_DURATION" "$ROUNDS")
echo "$report"
if [ -z "${BENCH_QUICK:-}" ] && [ "$BENCH_DURATION" -ge 8 ] && [ "$ROUNDS" -ge 2 ]; then
  python3 - "$HERE/RESULTS.md" "$report" <<'EOF'
import sys
path, report = sys.argv[1], sys.argv[2]
text = open(path).read()
start = text.find("# Before and after")
if start >= 0:
    end = text.find("\n# ", start + 1)
    text = text[:start] + (text[end + 1:] if end >= 0 else "")
open(path, "w").write(text.rstrip() + "\n\n" + report.rstrip() + "\n")
EOF
  log "before/after table written to src/bench/RESULTS.md"
fi
