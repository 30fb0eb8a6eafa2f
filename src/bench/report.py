"""Builds the Markdown report of a benchmark run from target/bench (results.jsonl and the probes)."""
import json, os, platform, statistics, subprocess, sys

work, duration, final_heap = sys.argv[1], sys.argv[2], int(sys.argv[3])
databases = (sys.argv[4] if len(sys.argv) > 4 else "h2").split()
previous = sys.argv[5] if len(sys.argv) > 5 else None  # the report this one replaces: its measured-apart sections stay
portkey_version = sys.argv[6] if len(sys.argv) > 6 else "?"
rows = [json.loads(l) for l in open(os.path.join(work, "results.jsonl"))]
NAMES = {"h2": "embedded H2", "postgres": "PostgreSQL on loopback"}


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def find(db, case, target, c):
    return next((r for r in rows if r.get("db", "h2") == db and r["case"] == case and r["target"] == target
                 and r["concurrency"] == c), None)


def ms(us):
    return "%.2f" % (us / 1000.0)


out = []
out.append("# Benchmark results\n")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
out.append("Machine: %d cores (%s), %s GiB RAM, %s, %s. Gateway: a stock Tomcat 10.1.59 (no JVM options), "
           "on %s; requests authenticated with an inferrer key under a per-minute limit, of a team with request and "
           "token quotas and a budget in dollars; usage log, "
           "aggregates and metrics on. Upstream: nginx with static answers on 127.0.0.1. Each cell: wrk for %s s.\n"
           % (os.cpu_count(), cpu_model(), round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30),
              platform.platform(), java, " and on ".join(NAMES.get(d, d) for d in databases), duration))
out.append("`direct` = the client calls the upstream itself (the physical limit); `nginx` = nginx as a plain "
           "reverse proxy; `gateway` = TokenRouter. Ratios are gateway ÷ reference.\n")


def first_event(db, mode):
    path = os.path.join(work, "first-event-%s-%s.json" % (mode, db))
    return json.load(open(path)) if os.path.exists(path) else None


def headline():
    """The governed request against the targets of the third performance round, on each database."""
    lines = ["\n# Headline: the governed request\n",
             "The inferrer key under a per-minute limit, of a team with request and token quotas and a budget: what a "
             "user of a governed gateway gets. Added = the gateway's figure less the direct call's in the same cell.\n",
             "| what | target | %s |" % " | ".join(NAMES.get(d, d) for d in databases),
             "|---|---|%s" % ("---|" * len(databases))]

    def row(label, target, limit, values):
        cells = []
        for v in values:
            if v is None:
                cells.append("—")
            else:
                cells.append("%s (%s)" % (v[1], "met" if v[0] <= limit else "missed by %.0f%%" % (100 * (v[0] / limit - 1))))
        lines.append("| %s | %s | %s |" % (label, target, " | ".join(cells)))

    def cell(db, case, c, f):
        r = find(db, case, "gateway", c)
        d = find(db, case, "direct", c)
        return f(r, d) if r and d else None

    row("non-streaming chat, CPU per request at c=16", "≤ 180 µs", 180,
        [cell(db, "chat", 16, lambda r, d: (r["cpu_us_per_request"], "%.0f µs" % r["cpu_us_per_request"])) for db in databases])
    row("non-streaming chat, added median at c=1", "≤ 0.35 ms", 0.35,
        [cell(db, "chat", 1, lambda r, d: ((r["p50_us"] - d["p50_us"]) / 1000, "%.2f ms" % ((r["p50_us"] - d["p50_us"]) / 1000)))
         for db in databases])
    row("non-streaming chat, added p99 at c=1", "≤ 1.0 ms", 1.0,
        [cell(db, "chat", 1, lambda r, d: ((r["p99_us"] - d["p99_us"]) / 1000, "%.2f ms" % ((r["p99_us"] - d["p99_us"]) / 1000)))
         for db in databases])
    row("stream of 22 events, CPU per stream at c=16", "≤ 350 µs", 350,
        [cell(db, "stream", 16, lambda r, d: (r["cpu_us_per_request"], "%.0f µs" % r["cpu_us_per_request"])) for db in databases])
    ratios = []
    for db in databases:
        st, ch = find(db, "stream", "gateway", 16), find(db, "chat", "gateway", 16)
        ratios.append((st["cpu_us_per_request"] / ch["cpu_us_per_request"],
                       "%.2f×" % (st["cpu_us_per_request"] / ch["cpu_us_per_request"])) if st and ch else None)
    row("that stream's CPU ÷ a non-streamed request's", "≤ 2×", 2, ratios)
    added = []
    for db in databases:
        f = first_event(db, "new")
        added.append((f["gateway_first_event_median"] - f["direct_first_event_median"],
                      "%.2f ms" % (f["gateway_first_event_median"] - f["direct_first_event_median"])) if f else None)
    row("added first event, new connection per request", "≤ 1.0 ms", 1.0, added)
    errors = []
    for db in databases:
        mine = [r for r in rows if r.get("db", "h2") == db and r["target"].startswith("gateway")]
        n = sum(r["socket_errors"] + r["non2xx"] for r in mine)
        errors.append((n, "%d errors in %d cells to c=%d" % (n, len(mine), max(r["concurrency"] for r in mine))) if mine else None)
    row("errors, every cell", "0", 0, errors)
    return lines


warmups = {}
if os.path.exists(os.path.join(work, "warmup.jsonl")):
    for line in open(os.path.join(work, "warmup.jsonl")):
        w = json.loads(line)
        warmups[w["db"]] = w

GROUPS = [("http-nio", "Tomcat's request threads (Jersey, routing, quotas, sending upstream)"),
          ("tokenrouter-usa", "request log writer"),  # thread names as Linux keeps them: 15 characters
          ("upstream", "upstream client (Jetty: reading answers, relaying)"),
          ("tokenrouter-cli", "client writes (answers to clients)"),
          ("MVStore", "H2 background writer"), ("H2", "H2 background writer"),
          ("C1 Compiler", "JIT compilers"), ("C2 Compiler", "JIT compilers"),
          ("GC Thread", "garbage collector"), ("G1", "garbage collector"), ("VM Thread", "garbage collector")]


def thread_table(g):
    by = {}
    for name, us in g.get("cpu_us_by_thread", {}).items():
        label = next((l for prefix, l in GROUPS if name.startswith(prefix)), "other (timers, pollers, background jobs)")
        by[label] = by.get(label, 0) + us
    total = sum(by.values()) or 1
    lines = ["| threads | CPU/request (µs) | share |", "|---|---|---|"]
    for label, us in sorted(by.items(), key=lambda kv: -kv[1]):
        lines.append("| %s | %.0f | %.0f%% |" % (label, us, 100 * us / total))
    return lines


def request_thread(group):
    """Whether a thread group (a name without its number) is Tomcat's request threads."""
    return group.startswith("http-nio") and group.endswith("exec")


def profile_section(p):
    """The JFR profile: where the Java code's time goes, by library and by the gateway's own steps."""
    total = p["samples"] or 1
    request = sum(n for t, n in p["threads"].items() if request_thread(t))
    lines = ["\n## Where the Java time goes (JFR profile, non-streaming chat, c=16)\n"]
    if "requests" in p:
        cpu = p["user_us_per_request"] + p["system_us_per_request"]
        lines.append("A separate 30-s run after the cells above, with a JFR recording on (%.0f req/s, %d errors): %.0f µs of "
                     "CPU per request, %.0f µs of it (%.0f%%) in the kernel (socket reads and writes, futexes, epoll), "
                     "which JFR does not sample, nor the JIT and the garbage collector. %d samples of threads running "
                     "Java code; %.0f%% of them in Tomcat's request threads. A sample counts for the library whose "
                     "code was running (the frame nearest the top of the stack outside the JDK, so a map lookup made "
                     "by Jersey counts as Jersey).\n" % (p["rps"], p["errors"], cpu, p["system_us_per_request"],
                     100 * p["system_us_per_request"] / cpu, p["samples"], 100 * request / total))
    if "allocated_bytes_per_request" in p:
        by_group = p["allocated_bytes_per_request"]
        total_bytes = sum(by_group.values())
        lines.append("Memory allocated in that run (every thread's allocated bytes, read by JFR each second): %.1f KB "
                     "per request; the garbage collector's work grows with it.\n" % (total_bytes / 1024))
        lines.append("| threads | KB allocated per request | share |")
        lines.append("|---|---|---|")
        for group, b in sorted(by_group.items(), key=lambda kv: -kv[1]):
            if b * 100 >= total_bytes:
                lines.append("| %s | %.1f | %.0f%% |" % (group, b / 1024, 100 * b / total_bytes))
        lines.append("")
    libraries, in_requests = {}, {}
    for thread, by in p["libraries"].items():
        for lib, n in by.items():
            libraries[lib] = libraries.get(lib, 0) + n
            if request_thread(thread):
                in_requests[lib] = in_requests.get(lib, 0) + n
    lines.append("| library | all threads | of which in Tomcat's request threads |")
    lines.append("|---|---|---|")
    for lib, n in sorted(libraries.items(), key=lambda kv: -kv[1]):
        if n * 200 >= total:
            lines.append("| %s | %.1f%% | %.1f%% |" % (lib, 100 * n / total, 100 * in_requests.get(lib, 0) / total))
    steps = {}
    for by in p["steps"].values():
        for step, n in by.items():
            steps[step] = steps.get(step, 0) + n
    lines.append("\nThe gateway's steps those samples ran for (the innermost frame of the gateway's own code; the "
                 "rest, %.0f%%, ran in the container and the framework around it), the twelve largest:\n"
                 % (100 * (total - sum(steps.values())) / total))
    lines.append("| step | share of samples |")
    lines.append("|---|---|")
    for step, n in sorted(steps.items(), key=lambda kv: -kv[1])[:12]:
        lines.append("| `%s` | %.1f%% |" % (step, 100 * n / total))
    return lines


out.extend(headline())

for db in databases:
    out.append("\n# On %s\n" % NAMES.get(db, db))
    if db in warmups:
        w = warmups[db]
        out.append("Warm-up before measuring: %d s (%d rounds of 20 s at c=16, until the JIT compiled for under 0.4 s "
                   "of a round); the JIT had compiled for %.0f s in total by then.\n" % (w["seconds"], w["rounds"], w["jit_seconds"]))
    for case in ("chat", "stream", "embeddings", "messages", "messages-translated"):
        if not any(r["case"] == case for r in rows):
            continue
        out.append("\n## %s\n" % {"chat": "Chat completions (non-streaming)", "stream": "Chat completions (streaming, 22 events)",
                                   "embeddings": "Embeddings",
                                   "messages": "Anthropic messages to a native provider (non-streaming)",
                                   "messages-translated": "Anthropic messages translated to chat completions "
                                                          "(non-streaming; direct and nginx: the chat answer)"}[case])
        out.append("| c | direct req/s | nginx req/s | gateway req/s | gw/direct | gw/nginx | p50 direct / nginx / gw (ms) "
                   "| p90 gw (ms) | p99 direct / nginx / gw (ms) | added p50 (ms) | gateway CPU/request (µs) | errors | threads | RSS (MB) |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for c in sorted({r["concurrency"] for r in rows if r["case"] == case}):
            d, n, g = find(db, case, "direct", c), find(db, case, "nginx", c), find(db, case, "gateway", c)
            if not (d and n and g):
                continue
            errors = sum(r["socket_errors"] + r["non2xx"] for r in (d, n, g))
            out.append("| %d | %.0f | %.0f | %.0f | %.1f%% | %.1f%% | %s / %s / %s | %s | %s / %s / %s | %s | %.0f | %d | %d | %d |" % (
                c, d["rps"], n["rps"], g["rps"], 100 * g["rps"] / d["rps"], 100 * g["rps"] / n["rps"],
                ms(d["p50_us"]), ms(n["p50_us"]), ms(g["p50_us"]), ms(g["p90_us"]),
                ms(d["p99_us"]), ms(n["p99_us"]), ms(g["p99_us"]), ms(g["p50_us"] - d["p50_us"]),
                g["cpu_us_per_request"], errors, g["threads"], g["rss_kb"] // 1024))
        admin = [(c, find(db, case, "gateway-admin", c), find(db, case, "gateway", c))
                 for c in sorted({r["concurrency"] for r in rows if r["case"] == case})]
        admin = [(c, a, g) for c, a, g in admin if a and g]
        if admin:
            out.append("\nThe governed key (a per-minute limit, its team's quotas and budget) beside the admin key, which no "
                       "limit governs:\n")
            out.append("| c | governed req/s | admin req/s | governed p50 / p99 (ms) | admin p50 / p99 (ms) "
                       "| governed CPU/request (µs) | admin CPU/request (µs) |")
            out.append("|---|---|---|---|---|---|---|")
            for c, a, g in admin:
                out.append("| %d | %.0f | %.0f | %s / %s | %s / %s | %.0f | %.0f |" % (
                    c, g["rps"], a["rps"], ms(g["p50_us"]), ms(g["p99_us"]), ms(a["p50_us"]), ms(a["p99_us"]),
                    g["cpu_us_per_request"], a["cpu_us_per_request"]))
        ones = [(name, find(db, case, target, 1)) for name, target in (("direct", "direct"), ("nginx", "nginx"),
                                                                       ("gateway", "gateway"))]
        if all(r and r.get("p50_runs_us") for _, r in ones):
            out.append("\nc=1 was run %d times; the row is the run with the middle median. Medians of the runs (ms): %s."
                       % (len(ones[0][1]["p50_runs_us"]), "; ".join(
                           "%s %s" % (name, " / ".join(ms(p) for p in r["p50_runs_us"])) for name, r in ones)))

    for case, title in (("chat", "non-streaming chat"), ("stream", "streams of 22 events")):
        g16 = find(db, case, "gateway", 16)
        if g16 and g16.get("cpu_us_by_thread"):
            out.append("\n## Where the CPU goes (%s, c=16)\n" % title)
            out.append("The gateway's CPU time in that run, by thread, per request (each request writes one log record, "
                       "so the writer's line is its CPU per record).\n")
            out.extend(thread_table(g16))

    profile_path = os.path.join(work, "profile-%s.json" % db)
    if os.path.exists(profile_path):
        out.extend(profile_section(json.load(open(profile_path))))

    out.append("\n## Time to the first streamed event\n")
    out.append("One request at a time, alternating direct and gateway; the clock starts before the connection is "
               "opened (new connection) or before the request is written (kept-alive). The upstream writes its head "
               "before its first event; the gateway sends its head with the first event, so the added time is "
               "taken on the first event.\n")
    out.append("| | direct median / p99 (ms) | gateway median / p99 (ms) | added median (ms) |")
    out.append("|---|---|---|---|")
    for mode, label in (("new", "new connection per request, {:,} requests, 20 events 10 ms apart"),
                        ("kept", "kept-alive connections, {:,} requests back to back, 2 events 1 ms apart")):
        path = os.path.join(work, "first-event-%s-%s.json" % (mode, db))
        if not os.path.exists(path):
            continue
        f = json.load(open(path))
        direct, gateway = f["direct_first_event_median"], f["gateway_first_event_median"]
        out.append("| %s | %.2f / %.2f | %.2f / %.2f | %.2f |" % (
            label.format(f["requests"]), direct, f["direct_first_event_p99"], gateway, f["gateway_first_event_p99"],
            gateway - direct))
    times_path = os.path.join(work, "event-times-%s.txt" % db)
    times = [float(t) for t in open(times_path) if t.strip()] if os.path.exists(times_path) else []
    gaps = [1000 * (b - a) for a, b in zip(times, times[1:])]
    if gaps:
        out.append("\nEvent spacing seen by the client through the gateway: %d events, gaps min %.1f / median %.1f / max %.1f ms "
                   "(the upstream spaces them 10 ms)." % (len(times), min(gaps), statistics.median(gaps), max(gaps)))

peer_rows = [r for r in rows if r["target"] == "portkey"]
if peer_rows:
    db = peer_rows[0].get("db", "h2")
    out.append("\n# Beside a peer gateway\n")
    out.append("In the same run and on the same nginx answers, on %s: Portkey's open-source AI gateway %s (npm "
               "`@portkey-ai/gateway`, on Node.js %s, started with `start-server.js --headless`, its web console off), with the provider and its "
               "address in its headers and no keys, limits or logs of its own, beside TokenRouter with the governed key "
               "and with the admin key. CPU is each gateway's process per request. `src/bench/run.sh` reruns it "
               "(`BENCH_PEERS=\"\"` leaves it out).\n" % (NAMES.get(db, db), portkey_version,
               subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() or "?"))
    refused_path = os.path.join(work, "peer-refused.jsonl")
    for line in open(refused_path) if os.path.exists(refused_path) else []:
        refused = json.loads(line)
        log_path = os.path.join(work, "portkey.log")
        why = next((l.strip() for l in open(log_path, errors="replace").read().replace("\r", "\n").split("\n")
                    if "error" in l.lower()), "") if os.path.exists(log_path) else ""
        out.append("Portkey did not answer the %s case, so it is not measured: `%s`%s.\n" % (
            refused["case"], refused["answer"].strip(), "; its log: `%s`" % why[:200] if why else ""))
    out.append("| case | c | direct req/s | TokenRouter governed req/s / p50 / p99 (ms) / CPU (µs) "
               "| TokenRouter admin req/s / p50 / p99 (ms) / CPU (µs) | Portkey req/s / p50 / p99 (ms) / CPU (µs) "
               "| governed ÷ Portkey, req/s | errors (TokenRouter / Portkey) |")
    out.append("|---|---|---|---|---|---|---|---|")
    for case in ("chat", "stream", "embeddings"):
        for c in sorted({r["concurrency"] for r in peer_rows if r["case"] == case}):
            d, g, a, k = (find(db, case, t, c) for t in ("direct", "gateway", "gateway-admin", "portkey"))
            if not (d and g and a and k):
                continue
            fig = lambda r: "%.0f / %s / %s / %.0f" % (r["rps"], ms(r["p50_us"]), ms(r["p99_us"]), r["cpu_us_per_request"])
            out.append("| %s | %d | %.0f | %s | %s | %s | %.1f× | %d / %d |" % (
                case, c, d["rps"], fig(g), fig(a), fig(k), g["rps"] / k["rps"] if k["rps"] else float("inf"),
                g["socket_errors"] + g["non2xx"] + a["socket_errors"] + a["non2xx"], k["socket_errors"] + k["non2xx"]))

clients = os.path.join(work, "clients.jsonl")
if os.path.exists(clients):
    out.append("\n# Upstream client\n")
    out.append("The two non-blocking HTTP clients considered, one after the other in one JVM (no JVM options) against "
               "the same nginx, each as the gateway uses it: 16 requests in flight for 10 s after 15 s of warm-up, then "
               "1,000 requests one at a time for the time to the answer's head. The gateway uses Jetty's.\n")
    out.append("| client | requests/s | CPU/request (µs) | threads started per 1,000 requests | peak threads | head median / p99 (µs) |")
    out.append("|---|---|---|---|---|---|")
    for line in open(clients):
        c = json.loads(line)
        out.append("| %s | %.0f | %.1f | %.1f | %d | %.0f / %.0f |" % (
            {"jdk": "JDK `java.net.http.HttpClient`", "jetty": "Jetty `HttpClient` 12.1"}.get(c["client"], c["client"]),
            c["requests_per_second"], c["cpu_us_per_request"], c["threads_started_per_1000"], c["peak_threads"],
            c["head_median_us"], c["head_p99_us"]))

long_path, plateau_path = os.path.join(work, "long-streams.json"), os.path.join(work, "long-plateau.json")
long = json.load(open(long_path)) if os.path.exists(long_path) else None
plateau = json.load(open(plateau_path)) if os.path.exists(plateau_path) else None
if long and plateau:
    out.append("\n# Long streams\n")
    out.append("%d concurrent streams, one event per second for 60 s (slow upstream), on %s.\n"
               % (plateau["streams"], NAMES.get(databases[0], databases[0])))
    out.append("| completed | errors | events | open connections at plateau | threads before / at plateau | RSS at plateau (MB) | heap after GC at plateau (MB) |")
    out.append("|---|---|---|---|---|---|---|")
    out.append("| %d | %d | %d | %d | %d / %d | %d | %.0f |" % (long["completed"], long["errors"], long["events"],
               plateau["open_connections"], plateau["threads_before"], plateau["threads_plateau"], plateau["rss_kb"] // 1024,
               plateau["heap_after_gc_kb"] / 1024))
    out.append("\nHeap after GC at the end of the run: %.0f MB." % (final_heap / 1024))

# sections measured apart from this script (allocation profiles, before-and-after comparisons) stay as they were
if previous and os.path.exists(previous):
    kept, keep = [], False
    for line in open(previous).read().split("\n"):
        if line.startswith("# "):
            keep = line.startswith(("# Memory allocated", "# Before and after", "# The tail at c=1"))
        if keep:
            kept.append(line)
    if kept:
        out.append("")
        out.extend(kept)
print("\n".join(out).rstrip("\n"))
