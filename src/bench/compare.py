"""The before/after table of compare.sh: for each gateway cell the median over rounds of both WARs, and the
change; the nginx references of the same runs show how much the machine itself moved between them."""
import glob
import json
import os
import statistics
import sys

work, before, after, state, duration, rounds = sys.argv[1:]


def cells(side):
    runs = {}
    for path in sorted(glob.glob(os.path.join(work, "run-%s-*" % side, "results.jsonl"))):
        for line in open(path):
            r = json.loads(line)
            runs.setdefault((r["db"], r["case"], r["target"], r["concurrency"]), []).append(r)
    return runs


def median(rows, field):
    values = [r[field] for r in rows if r.get(field) is not None]
    return statistics.median(values) if values else None


def spread(rows, field):
    """How far the rounds of one side lie apart, relative to their median (0 for a single round)."""
    values = [r[field] for r in rows if r.get(field) is not None]
    return (max(values) - min(values)) / statistics.median(values) if len(values) > 1 and statistics.median(values) else 0


def change(b, a, lower_is_better, noise):
    """The change in percent; called better or worse only when it is larger than the rounds' own spread."""
    if not b or a is None:
        return ""
    pct = (a - b) * 100.0 / b
    better = pct < 0 if lower_is_better else pct > 0
    verdict = "" if abs(pct) <= max(3.0, noise * 100) else (" (better)" if better else " (worse)")
    return "%+.1f%%%s" % (pct, verdict)


def rounds_of(rows):
    return " / ".join("%.0f" % r["rps"] for r in rows)


b_cells, a_cells = cells("before"), cells("after")
out = ["# Before and after", "",
       "`src/bench/compare.sh %s`: the WAR of %s (before) and of %s%s (after), measured alternately on this "
       "machine in one run (before, after, after, before), %s s a cell, median of %s rounds; the governed "
       "inferrer key (team quotas, a budget, a per-minute limit) and the admin key. CPU is the gateway's per "
       "request; nginx is the same upstream through nginx, a reference for the machine's own drift. On two cores a "
       "cell moves by up to a third from one round to the next (see the rounds): a change is called better or worse "
       "only when it is larger than the spread of either side's rounds."
       % (before, before, after, " with uncommitted changes" if state == "dirty" else "", duration, rounds), "",
       "| database | case | target | c | req/s before (each round) | req/s after (each round) | change | p50 ms before | p50 ms after |"
       " change | p99 ms before | p99 ms after | change | CPU µs before | CPU µs after | change |",
       "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
CASES = ["chat", "stream", "embeddings", "messages", "messages-translated"]


def failed(rows):
    """Cells the before WAR could not serve at all (an endpoint it did not have yet): every answer an error."""
    return bool(rows) and all(r.get("non2xx", 0) + r.get("socket_errors", 0) >= r["requests"] > 0 for r in rows)


for key in sorted(b_cells, key=lambda k: (k[0], CASES.index(k[1]), k[2], k[3])):
    db, case, target, c = key
    if target == "direct" or key not in a_cells:
        continue
    b, a = b_cells[key], a_cells[key]
    if failed(b):
        ca = median(a, "cpu_us_per_request")
        out.append("| %s | %s | %s | %d | — (not served) | %.0f (%s) | new | — | %.2f | | — | %.2f | | — | %s | |" % (
            db, case, target, c, median(a, "rps"), rounds_of(a), median(a, "p50_us") / 1000,
            median(a, "p99_us") / 1000, "—" if ca is None else "%.0f" % ca))
        continue
    rb, ra = median(b, "rps"), median(a, "rps")
    pb, pa = median(b, "p50_us"), median(a, "p50_us")
    tb, ta = median(b, "p99_us"), median(a, "p99_us")
    cb, ca = median(b, "cpu_us_per_request"), median(a, "cpu_us_per_request")
    noise = {f: max(spread(b, f), spread(a, f)) for f in ("rps", "p50_us", "p99_us", "cpu_us_per_request")}
    out.append("| %s | %s | %s | %d | %.0f (%s) | %.0f (%s) | %s | %.2f | %.2f | %s | %.2f | %.2f | %s | %s | %s | %s |" % (
        db, case, target, c, rb, rounds_of(b), ra, rounds_of(a), change(rb, ra, False, noise["rps"]), pb / 1000,
        pa / 1000, change(pb, pa, True, noise["p50_us"]), tb / 1000, ta / 1000, change(tb, ta, True, noise["p99_us"]),
        "—" if cb is None else "%.0f" % cb, "—" if ca is None else "%.0f" % ca,
        change(cb, ca, True, noise["cpu_us_per_request"]) if cb is not None else ""))
errors = sum(r.get("socket_errors", 0) + r.get("non2xx", 0)
             for side in (b_cells, a_cells) for key, rows in side.items() if not failed(b_cells.get(key, [])) for r in rows)
out += ["", "Errors (socket errors and non-2xx answers) over every cell of both WARs (but those the before WAR did not "
        "serve): %d." % errors]
print("\n".join(out))
