"""Load driver, probes and analysis of the two-node cluster test (src/cluster/run.sh); standard library only.

    cluster.py burst URL KEY N MODEL OUT.json          N concurrent chat requests at once
    cluster.py until-refused URL KEY MODEL LIMIT OUT [METHOD CHANGE-URL BODY ADMIN-KEY]
                                                        makes the change, then one request every 100 ms
                                                        until one is refused
    cluster.py spend URL KEY MODEL CLIENTS OUT.json    CLIENTS clients sending chat requests until each was
                                                        refused three times in a row; the cost header of each answer
    cluster.py soak URL KEY MODEL CLIENTS SECONDS OUT.jsonl
                                                        CLIENTS clients sending chat requests (half
                                                        streamed) for SECONDS; one JSON line per request
    cluster.py sample-jobs PSQL... > samples            job_locks and gateway_nodes every 200 ms until killed
    cluster.py signin-form PAGE.html KEY                the console's sign-in form, filled, as curl arguments
    cluster.py report-burst / report-spend / report-jobs / report-soak / report-takeover
                                                        figures and PASS/FAIL lines (see each function)

Which node answered a request through nginx is read from the X-Upstream-Node header nginx adds (the
address of the node, or several when nginx moved on to the next one).
"""
import http.client, json, re, subprocess, sys, threading, time
from datetime import datetime
from urllib.parse import urlsplit

NODES = {}  # "127.0.0.1:18180" -> "A", filled from the environment of run.sh (NODE_A, NODE_B)


def node_name(addr):
    """nginx's $upstream_addr as node names: "A", or "A>B" when nginx moved on from A to B."""
    if not addr:
        return "?"
    return ">".join(NODES.get(a.strip(), a.strip()) for a in addr.split(","))


def chat_body(model, stream):
    body = {"model": model, "messages": [{"role": "user", "content": "Say hello"}], "max_tokens": 16}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


def connect(url, timeout=15):
    u = urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout), u.path


def chat(conn, path, key, model, stream=False):
    """One chat request on an open connection; returns what the client saw."""
    r = {"stream": stream, "t0": time.time(), "status": None, "request_id": None, "node": None,
         "complete": False, "error": None, "body": None}
    try:
        conn.request("POST", path + "/chat/completions", body=chat_body(model, stream),
                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        resp = conn.getresponse()
        r["status"] = resp.status
        r["request_id"] = resp.getheader("x-request-id")
        r["cost"] = resp.getheader("x-tokenrouter-cost")
        r["node"] = resp.getheader("X-Upstream-Node")
        if stream and resp.status == 200:
            done = False
            while True:
                line = resp.readline()
                if not line:
                    break
                if line.strip() == b"data: [DONE]":
                    done = True
            r["complete"] = done
            if not done:
                r["error"] = "stream ended without [DONE]"
        else:
            raw = resp.read()
            try:
                r["body"] = json.loads(raw)
            except ValueError:
                r["body"] = raw.decode("utf-8", "replace")[:300]
            if resp.status == 200:
                r["complete"] = isinstance(r["body"], dict) and bool(
                    r["body"].get("choices", [{}])[0].get("message", {}).get("content"))
                if not r["complete"]:
                    r["error"] = "incomplete body"
            if resp.will_close:
                conn.close()
    except (OSError, http.client.HTTPException) as e:
        r["error"] = "%s: %s" % (type(e).__name__, e)
        conn.close()
    r["t1"] = time.time()
    return r


def burst(url, key, n, model, out):
    """n requests released together (one connection each), so they race for the quota."""
    n = int(n)
    results = [None] * n
    gate = threading.Barrier(n)

    def one(i):
        conn, path = connect(url, timeout=60)
        try:
            conn.connect()
        except OSError:
            pass
        gate.wait()
        results[i] = chat(conn, path, key, model)
        conn.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump(results, open(out, "w"))


def spend(url, key, model, clients, out):
    """`clients` clients, released together, each sending chat requests until it was refused three times in a
    row (half a second apart: a node may refuse while the other node's allowance still holds the rest)."""
    clients = int(clients)
    results = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)

    def client(i):
        conn, path = connect(url, timeout=60)
        refused = 0
        gate.wait()
        while refused < 3:
            r = chat(conn, path, key, model)
            with lock:
                results.append(r)
            if r["status"] == 200:
                refused = 0
            else:
                refused += 1
                time.sleep(0.5)
            if r["status"] is None or r.get("error"):
                conn, path = connect(url, timeout=60)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump(results, open(out, "w"))


def until_refused(url, key, model, limit, out, method=None, trigger=None, body="", admin_key=None):
    """Makes one change (`method` `trigger` with `body`, as `admin_key`), then sends one request every
    100 ms to `url` until it is refused (or `limit` seconds pass); writes {"seconds": from the change's
    answer to the first refusal, "ok_before": answers given after the change, "status", "body"}."""
    ok = 0
    conn, path = connect(url)
    if trigger:
        u = urlsplit(trigger)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request(method, u.path, body=body.encode() or None,
                  headers={"Authorization": "Bearer " + admin_key, "Content-Type": "application/json"})
        answer = c.getresponse()
        answer.read()
        if answer.status >= 300:
            sys.exit("%s %s answered %d" % (method, trigger, answer.status))
    start = time.time()
    while time.time() - start < float(limit):
        r = chat(conn, path, key, model)
        if r["status"] is not None and r["status"] != 200:
            json.dump({"seconds": round(r["t1"] - start, 2), "ok_before": ok, "status": r["status"],
                       "body": r["body"]}, open(out, "w"))
            return
        if r["status"] == 200:
            ok += 1
        else:
            conn, path = connect(url)
        time.sleep(0.1)
    json.dump({"seconds": None, "ok_before": ok, "status": None, "body": None}, open(out, "w"))


def soak(url, key, model, clients, seconds, out):
    """`clients` clients, each on its own keep-alive connection, alternating streamed and buffered chat
    requests for `seconds`; a client whose connection broke opens a new one and goes on."""
    deadline = time.time() + float(seconds)
    lock = threading.Lock()
    f = open(out, "w")

    def client(i):
        conn, path = connect(url)
        n = 0
        while time.time() < deadline:
            r = chat(conn, path, key, model, stream=(i + n) % 2 == 0)
            r["client"] = i
            r.pop("body", None) if r["complete"] else None
            with lock:
                f.write(json.dumps(r) + "\n")
                f.flush()
            n += 1
            if r["error"] and "HTTP" not in r["error"]:
                conn, path = connect(url)
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(int(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    f.close()


def sample_jobs(*psql):
    """Prints one line per job_locks row and per gateway_nodes row every 200 ms, each stamped with the
    database clock: J|sampled_at|name|owner|locked_until and N|sampled_at|node_id|name|last_seen."""
    p = subprocess.Popen(list(psql) + ["-At", "-F|", "-q"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, bufsize=1)
    query = ("select 'J', extract(epoch from clock_timestamp()), name, coalesce(owner, ''), "
             "extract(epoch from locked_until) from job_locks; "
             "select 'N', extract(epoch from clock_timestamp()), node_id, name, extract(epoch from last_seen) "
             "from gateway_nodes; select 'END';\n")
    while True:
        p.stdin.write(query)
        p.stdin.flush()
        while True:
            line = p.stdout.readline()
            if not line or line.strip() == "END":
                break
            sys.stdout.write(line)
        sys.stdout.flush()
        if not line:
            return
        time.sleep(0.2)


def signin_form(page, key):
    """Reads the sign-in page and prints the form's action and its fields (hidden ones as they are, the
    key filled in, the submit button) as curl arguments, one per line."""
    html = open(page, encoding="utf-8").read()
    form = re.search(r'<form[^>]*id="signin"[^>]*>(.*?)</form>', html, re.S)
    if not form:
        sys.exit("no sign-in form on the page")
    action = re.search(r'action="([^"]+)"', form.group(0)).group(1).replace("&amp;", "&")
    print(action)
    for tag in re.finditer(r"<(input|button)\b[^>]*>", form.group(1)):
        t = tag.group(0)
        name = re.search(r'\bname="([^"]+)"', t)
        if not name:
            continue
        name = name.group(1)
        kind = (re.search(r'\btype="([^"]+)"', t) or re.search("()", "")).group(1)
        value = (re.search(r'\bvalue="([^"]*)"', t) or re.search("()", "")).group(1).replace("&amp;", "&")
        if name.endswith(":key"):
            value = key
        elif kind in ("text", "password") and not name.endswith(":key"):
            value = ""
        print("--data-urlencode")
        print("%s=%s" % (name, value))


# ---- reports -------------------------------------------------------------------------------------

def verdict(ok):
    return "PASS" if ok else "FAIL"


def report_burst(results_file, limit, upstream_delta, quota_row):
    """Check 1: exactly `limit` answered 200 and forwarded, the rest 429 in the OpenAI error envelope."""
    results = json.load(open(results_file))
    limit, upstream_delta = int(limit), int(upstream_delta)
    by_status, by_node = {}, {}
    envelope_ok = 0
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
        node = node_name(r["node"])
        by_node.setdefault(node, {}).setdefault(r["status"], 0)
        by_node[node][r["status"]] += 1
        if r["status"] == 429:
            e = r["body"].get("error") if isinstance(r["body"], dict) else None
            if isinstance(e, dict) and e.get("message") and e.get("type") and "code" in e and "param" in e:
                envelope_ok += 1
    ok200, n429 = by_status.get(200, 0), by_status.get(429, 0)
    sample = next((r["body"] for r in results if r["status"] == 429), None)
    print("  requests: %d; answered 200: %d; 429: %d; other: %s" % (
        len(results), ok200, n429, {k: v for k, v in by_status.items() if k not in (200, 429)} or "none"))
    print("  upstream chat completions during the burst: %d" % upstream_delta)
    print("  429 answers in the OpenAI error envelope: %d of %d" % (envelope_ok, n429))
    for node in sorted(by_node):
        print("  node %s: %s" % (node, ", ".join("%s x%d" % (s, c) for s, c in sorted(by_node[node].items(), key=str))))
    print("  team quota row after the burst (limit|used|reserved): %s" % quota_row)
    if sample:
        print("  a 429 body: %s" % json.dumps(sample)[:300])
    passed = ok200 == limit and upstream_delta == limit and n429 == len(results) - limit and envelope_ok == n429
    print("RESULT quota %s %d/%d answered, %d forwarded, %d refused" % (verdict(passed), ok200, len(results), upstream_delta, n429))


def report_spend(results_file, limit_micros, upstream_delta, budget_row, events_file, webhooks_file):
    """Check 1b: a team budget spread over both nodes is never exceeded; what the answers say they cost adds
    up to what the budget counts; each alert threshold fired exactly once (an event and a webhook POST)."""
    results = json.load(open(results_file))
    limit, upstream_delta = int(limit_micros), int(upstream_delta)
    limit_db, used, reserved = (int(x) for x in budget_row.split("|"))
    answered = [r for r in results if r["status"] == 200]
    refused = [r for r in results if r["status"] == 429]
    other = [r for r in results if r["status"] not in (200, 429)]
    cost = sum(round(float(r["cost"]) * 1_000_000) for r in answered if r.get("cost"))
    by_node = {}
    for r in answered:
        node = node_name(r["node"])
        by_node[node] = by_node.get(node, 0) + 1
    events = [line for line in open(events_file).read().splitlines() if line.strip()]
    webhooks = json.load(open(webhooks_file))
    thresholds = sorted(w.get("threshold") for w in webhooks if w.get("event") == "budget_threshold")
    print("  answered 200: %d (%s); 429: %d; other: %d" % (
        len(answered), ", ".join("%s x%d" % (n, c) for n, c in sorted(by_node.items())), len(refused), len(other)))
    print("  upstream chat completions during the run: %d" % upstream_delta)
    print("  cost headers of the answers add up to %d micro-dollars; budget row limit|used|reserved: %d|%d|%d" % (
        cost, limit_db, used, reserved))
    print("  budget events: %d" % len(events))
    for e in events:
        print("    %s" % e[:200])
    print("  budget webhooks received, by threshold: %s" % thresholds)
    never_over = used <= limit and reserved == 0
    adds_up = cost == used and upstream_delta == len(answered) and not other and all(r.get("cost") for r in answered)
    spent = used > limit * 9 // 10
    print("RESULT budget %s spent %d of %d micro-dollars over %d answers, never more; answers' costs add up: %s" % (
        verdict(never_over and adds_up and spent), used, limit, len(answered), "yes" if adds_up else "NO"))
    print("RESULT alerts %s %d events, webhooks at %s (each of 50, 80, 100 exactly once)" % (
        verdict(len(events) == 3 and thresholds == [50, 80, 100]), len(events), thresholds))


def report_minute(results_file, limit, upstream_delta):
    """Check 1c: a per-minute request limit over both nodes forwards exactly the limit within one minute."""
    results = json.load(open(results_file))
    limit, upstream_delta = int(limit), int(upstream_delta)
    ok = sum(1 for r in results if r["status"] == 200)
    n429 = [r for r in results if r["status"] == 429]
    headers_ok = all(isinstance(r["body"], dict) and "per-minute request quota" in json.dumps(r["body"]) for r in n429)
    print("  requests: %d; answered 200: %d; 429: %d; upstream: %d" % (len(results), ok, len(n429), upstream_delta))
    if n429:
        print("  a 429 body: %s" % json.dumps(n429[0]["body"])[:300])
    print("RESULT minute %s %d/%d answered and forwarded within one minute (limit %d)" % (
        verdict(ok == limit and upstream_delta == limit and len(n429) == len(results) - limit and headers_ok),
        ok, len(results), limit))


PERIODS = {"key-cleanup": 60, "quota-reclaim": 30, "provider-quotas": 300, "retention": 600}


def epoch(text):
    """A timestamp as PostgreSQL logs a parameter ('2026-01-02 03:04:05.123456+00') in epoch seconds."""
    text = text.strip()
    if re.search(r"[+-]\d\d$", text):
        text += ":00"
    return datetime.fromisoformat(text).timestamp()


def report_jobs(samples_file, pg_log, pids, started):
    """Check 3. A node runs a job only after its conditional update of the job's job_locks row succeeded
    (owner = itself, locked_until = its clock + lease, where locked_until < its clock). The PostgreSQL
    statement log holds every such update with its parameters (who tried, when by its clock, until when);
    the samples (every 200 ms) show which of them took the row. A lease taken while the row's previous
    lease was still running would be two nodes holding it at once."""
    pid_to_node = dict(p.split("=") for p in pids.split(","))  # "1234=A,5678=B"
    started = float(started)

    def who(owner):
        m = re.match(r"(\d+)@", owner or "")
        return pid_to_node.get(m.group(1), owner) if m else (owner or "-")

    states, nodes, first, last = {}, {}, None, None
    for line in open(samples_file):
        parts = line.rstrip("\n").split("|")
        if len(parts) != 5:
            continue
        kind, t, a, b, c = parts
        t = float(t)
        first = t if first is None else first
        last = t
        if kind == "J":
            seq = states.setdefault(a, [])
            if not seq or seq[-1][0:2] != (b, float(c)):
                seq.append((b, float(c), t))
        elif kind == "N":
            nodes.setdefault(b, []).append((t, float(c)))
    if first is None:
        print("  no samples")
        print("RESULT jobs FAIL no samples of job_locks")
        return
    print("  sampled job_locks and gateway_nodes every 200 ms for %.0f s (%.0f s to %.0f s after node A started)"
          % (last - first, first - started, last - started))
    live = {who(n): max(t - seen for t, seen in v) for n, v in nodes.items() if v[-1][0] - v[-1][1] < 30}
    print("  nodes heartbeating in gateway_nodes throughout: %d (largest heartbeat age seen: %s)" % (
        len(live), ", ".join("%s %.1f s" % (n, a) for n, a in sorted(live.items()))))

    attempts = []  # every try to take a lease: job, node, the node's clock, the lease's end
    text = open(pg_log, errors="replace").read() if pg_log else ""
    for m in re.finditer(r"update job_locks set owner = \$1.*?\n.*?parameters: \$1 = '([^']*)', \$2 = '([^']*)', "
                         r"\$3 = '([^']*)', \$4 = '([^']*)'", text):
        attempts.append({"job": m.group(3), "node": who(m.group(1)), "until": epoch(m.group(2)), "now": epoch(m.group(4))})

    overlaps, leases, contended = 0, 0, 0
    print("  %-16s %-7s %-7s %-14s %-16s %-18s %s" % ("job", "period", "lease", "tries A/B", "taken A/B",
                                                       "refused: held/race", "order taken"))
    for name in sorted(set(states) | set(PERIODS)):
        seq = states.get(name, [])
        tries = [a for a in attempts if a["job"] == name and first - 1 <= a["now"] <= last]
        taken, order, lease = {"A": 0, "B": 0}, "", None
        won = set()
        for i, (owner, until, seen) in enumerate(seq):
            match = next((a for a in attempts if a["job"] == name and abs(a["until"] - until) < 0.002), None)
            if match:
                won.add(id(match))
                lease = until - match["now"]
            if i == 0:
                continue  # held before the window started
            node = who(owner)
            taken[node] = taken.get(node, 0) + 1
            order += node
            leases += 1
            acquired = match["now"] if match else seen
            prev_owner, prev_until, _ = seq[i - 1]
            if acquired < prev_until:
                overlaps += 1
                print("  OVERLAP %s: %s took it at %.3f while %s held it until %.3f" % (
                    name, node, acquired, who(prev_owner), prev_until))
        held = race = 0
        for a in tries:
            if id(a) in won:
                continue
            # refused because a lease taken before this try was still running (the first state was
            # taken before the window began)
            holder = [st for i, st in enumerate(seq) if st[1] > a["now"] and (i == 0 or st[2] <= a["now"] + 0.3)]
            if holder:
                held += 1
            else:
                race += 1
        by = {"A": 0, "B": 0}
        for a in tries:
            by[a["node"]] = by.get(a["node"], 0) + 1
        contended += by["A"] > 0 and by["B"] > 0
        print("  %-16s %-7s %-7s %-14s %-16s %-18s %s" % (
            name, "%ds" % PERIODS.get(name, 0), "%.0fs" % lease if lease else "-",
            "%d/%d" % (by["A"], by["B"]) if pg_log else "-", "%d/%d" % (taken["A"], taken["B"]),
            "%d/%d" % (held, race), order or "-"))
    print("  (tries: updates of the row in the database log; refused: held = another node's lease was running,"
          " race = lost to a try at the same moment)")
    never = [n for n in sorted(PERIODS) if len(states.get(n, [])) < 2]
    if never:
        print("  not taken during the window (each job first runs one period after its node started): %s" % ", ".join(never))
    passed = overlaps == 0 and len(live) == 2 and leases > 0 and (contended > 0 or not pg_log)
    print("RESULT jobs %s %d leases taken in %.0f s by A/B, none overlapping; %d jobs tried by both nodes%s"
          % (verdict(passed), leases, last - first, contended, "" if not overlaps else ", %d OVERLAPPING" % overlaps))


def report_takeover(samples_file, kill_at, pids):
    """After node A was killed: when each lease A held ran out and when node B took the job over. B may
    take a job only once A's lease has run out."""
    pid_to_node = dict(p.split("=") for p in pids.split(","))
    kill_at = float(kill_at)

    def who(owner):
        m = re.match(r"(\d+)@", owner or "")
        return pid_to_node.get(m.group(1), owner) if m else (owner or "-")

    states, last = {}, kill_at
    for line in open(samples_file):
        parts = line.rstrip("\n").split("|")
        if len(parts) != 5 or parts[0] != "J":
            continue
        _, t, name, owner, until = parts
        last = max(last, float(t))
        seq = states.setdefault(name, [])
        if not seq or seq[-1][0:2] != (owner, float(until)):
            seq.append((owner, float(until), float(t)))
    print("  %-16s %-28s %s" % ("job", "lease held at the kill", "taken after the kill (s from the kill)"))
    overlaps, expected, taken_over = 0, 0, 0
    for name in sorted(states):
        seq = states[name]
        at_kill = [st for st in seq if st[2] <= kill_at]
        held = at_kill[-1] if at_kill else None
        later = [(i, st) for i, st in enumerate(seq) if st[2] > kill_at]
        for i, (owner, until, seen) in later:
            if i and seen < seq[i - 1][1]:
                overlaps += 1
        desc = "-" if not held or not held[0] else "%s, until %+.1f s" % (who(held[0]), held[1] - kill_at)
        after = ", ".join("%s %+.1f" % (who(o), t - kill_at) for _, (o, u, t) in later) or "none"
        # a job A held whose lease ran out at least one period before the end of the watch must have moved to B
        if held and who(held[0]) == "A" and held[1] + PERIODS.get(name, 0) < last:
            expected += 1
            taken_over += any(who(o) == "B" for _, (o, u, t) in later)
        print("  %-16s %-28s %s" % (name, desc, after))
    print("  watched until %.0f s after the kill" % (last - kill_at))
    if expected == 0 and overlaps == 0:
        # nothing to take over: node B held every lease (nodes started together keep the same winner)
        print("RESULT takeover n/a node A held no lease when it died that could run out in the watch; none overlapping")
        return
    print("RESULT takeover %s node B took over %d of %d jobs whose lease A held when it died, only after it ran out%s" % (
        verdict(overlaps == 0 and taken_over == expected), taken_over, expected,
        "" if not overlaps else "; %d OVERLAPPING" % overlaps))


def describe(r):
    """An error answer in a few words: the OpenAI error's message, or the title of an HTML page (nginx's)."""
    body = r.get("body")
    if isinstance(body, dict):
        return "HTTP %s %s" % (r["status"], json.dumps(body.get("error", body))[:120])
    title = re.search(r"<title>(.*?)</title>", body or "")
    return "HTTP %s %s" % (r["status"], "page '%s'" % title.group(1) if title else repr((body or "")[:80]))


def report_soak(soak_file, kill_at, logged_ids, upstream_file, out_missing, grace="1"):
    """Check 4: failover as the clients saw it, then a usage record for every answer they received."""
    kill_at = float(kill_at)
    rows = [json.loads(l) for l in open(soak_file)]
    logged = set(l.strip() for l in open(logged_ids) if l.strip())
    upstream = json.load(open(upstream_file))
    before = [r for r in rows if r["t1"] < kill_at]
    after = [r for r in rows if r["t0"] > kill_at]
    inflight = [r for r in rows if r["t0"] <= kill_at <= r["t1"]]
    completed = [r for r in rows if r["complete"]]
    errors = [r for r in rows if not r["complete"]]

    def nodes(rs):
        c = {}
        for r in rs:
            if r["complete"]:
                n = node_name(r["node"])
                c[n] = c.get(n, 0) + 1
        return ", ".join("%s %d" % kv for kv in sorted(c.items())) or "none"

    print("  %d clients' requests: %d, completed %d (streamed %d, buffered %d), not completed %d" % (
        len(set(r["client"] for r in rows)), len(rows), len(completed),
        sum(1 for r in completed if r["stream"]), sum(1 for r in completed if not r["stream"]), len(errors)))
    print("  completed before the kill by node: %s; completed after it: %s" % (nodes(before), nodes(after)))
    print("  in flight at the kill: %d, of which failed: %d" % (len(inflight), sum(1 for r in inflight if not r["complete"])))
    for r in errors:
        print("    error %+.2f s .. %+.2f s  %-8s node %-6s status %s  %s" % (
            r["t0"] - kill_at, r["t1"] - kill_at, "stream" if r["stream"] else "buffered", node_name(r["node"]),
            r["status"], r["error"] or describe(r)))
    # the switch: from the kill to the last error a client saw; nginx marks A as failed at its first
    # failure and sends everything else to B
    switch_end = max([kill_at] + [r["t1"] for r in errors])
    settled = [r for r in rows if r["t0"] > kill_at + float(grace)]
    late_errors = [r for r in settled if not r["complete"]]
    settled_ok = [r for r in settled if r["complete"]]
    span = (max(r["t1"] for r in settled_ok) - min(r["t0"] for r in settled_ok)) if settled_ok else 0
    ok = not late_errors and len(settled_ok) > 0
    print("  client errors: %d, the last one %.2f s after the kill; requests started more than %s s after the kill: %d,"
          " completed %d over %.1f s (by %s), failed %d" % (
              len(errors), switch_end - kill_at, grace, len(settled), len(settled_ok), span, nodes(settled), len(late_errors)))
    moved = sum(1 for r in rows if "," in (r["node"] or ""))
    print("  requests nginx sent on to B after A refused the connection: %d" % moved)
    print("RESULT failover %s %d client errors in the switch (%d requests in flight on A), then %d of %d answered by B"
          % (verdict(ok), len(errors), len(inflight), len(settled_ok), len(settled)))

    missing = [r for r in completed if r["request_id"] not in logged]
    by_node = {}
    for r in completed:
        n = node_name(r["node"])
        by_node.setdefault(n, [0, 0])
        by_node[n][0] += 1
        by_node[n][1] += r["request_id"] in logged
    print("  completed answers: %d; with a usage record in request_log: %d; missing: %d" % (
        len(completed), len(completed) - len(missing), len(missing)))
    for n, (c, l) in sorted(by_node.items()):
        print("    answered by %s: %d, recorded %d" % (n, c, l))
    with open(out_missing, "w") as f:
        for r in sorted(missing, key=lambda r: r["t1"]):
            line = "%s  %-8s node %s  answered %+.3f s from the kill" % (
                r["request_id"], "stream" if r["stream"] else "buffered", node_name(r["node"]), r["t1"] - kill_at)
            f.write(line + "\n")
            print("    missing: " + line)
    soak_ids = set(r["request_id"] for r in rows if r["request_id"])
    forwarded = [u for u in upstream if u["provider"] == "main" and u["request_id"] and u["started"] >= rows[0]["t0"] - 1]
    unmetered = [u for u in forwarded if u["request_id"] not in logged]
    print("  forwarded to the provider during the load: %d; without a usage record: %d (%d of them never answered to a client)"
          % (len(forwarded), len(unmetered), sum(1 for u in unmetered if u["request_id"] not in soak_ids or
                                                  not any(r["complete"] for r in rows if r["request_id"] == u["request_id"]))))
    print("RESULT usage %s %d of %d completed answers have a usage record, %d missing" % (
        verdict(not missing), len(completed) - len(missing), len(completed), len(missing)))


def report_outage(soak_file, stop_at, back_at, logged_ids, upstream_delta, used, *ready_files):
    """Check 2b: the database outage as the clients saw it, then one log row per request and an exact counter."""
    stop_at, back_at = float(stop_at), float(back_at)
    rows = [json.loads(l) for l in open(soak_file)]
    logged = [l.strip() for l in open(logged_ids) if l.strip()]
    logged_set = set(logged)
    during = [r for r in rows if stop_at <= r["t0"] <= back_at]
    completed = [r for r in rows if r["complete"]]
    errors = [r for r in rows if not r["complete"]]
    slowest = max((r["t1"] - r["t0"] for r in during), default=0)
    print("  %d requests (%d during the %.0f s outage, the slowest of those %.2f s), completed %d, failed %d" % (
        len(rows), len(during), back_at - stop_at, slowest, len(completed), len(errors)))
    for r in errors[:10]:
        print("    error %+.2f s from the stop  %-8s status %s  %s" % (
            r["t0"] - stop_at, "stream" if r["stream"] else "buffered", r["status"], r["error"] or describe(r)))
    readies = []
    for f in ready_files:
        text = open(f).read().strip()
        body, _, status = text.rpartition(" ")
        try:
            state = json.loads(body).get("status")
        except ValueError:
            state = body[:80]
        readies.append("%s %s" % (status, state))
    print("  /health/ready during the outage: %s" % ", ".join(readies))
    ok = not errors and len(during) > 0 and slowest < 2.5 and all(r == "200 degraded" for r in readies)
    print("RESULT outage %s %d of %d requests answered (%d during the outage, slowest %.2f s); ready: %s" % (
        verdict(ok), len(completed), len(rows), len(during), slowest, ", ".join(readies)))
    missing = [r["request_id"] for r in rows if r["request_id"] and r["request_id"] not in logged_set]
    ids = set(r["request_id"] for r in rows if r["request_id"])
    mine = [i for i in logged if i in ids]
    twice = len(mine) - len(set(mine))
    print("  requests: %d; in the log: %d; missing: %d; logged twice: %d; answers: %d, forwarded to the provider: %s;"
          " team counter: %s" % (len(ids), len(set(mine)), len(missing), twice, len(completed), upstream_delta, used))
    for m in missing[:10]:
        print("    missing: " + m)
    exact = not missing and twice == 0 and int(upstream_delta) == len(completed) and int(used) == len(completed)
    print("RESULT journal %s %d requests, %d log rows (none twice), %d answers, %s forwarded, team counter %s" % (
        verdict(exact), len(ids), len(set(mine)), len(completed), upstream_delta, used))


if __name__ == "__main__":
    import os
    for var, name in (("NODE_A", "A"), ("NODE_B", "B")):
        if os.environ.get(var):
            NODES[os.environ[var]] = name
    cmd, args = sys.argv[1].replace("-", "_"), sys.argv[2:]
    globals()[cmd](*args)
