"""The smoke test that src/deploy/smoke.sh runs against the gateway on each server.

    python3 smoke.py check BASE ADMIN_KEY PID [DB]  the checks against the gateway at BASE (e.g.
                                                    http://127.0.0.1:8280), whose server JVM is PID; DB, when
                                                    given, is what /api/status must report as the database
                                                    source (e.g. "JNDI java:jboss/datasources/TokenRouter")

The provider is the project's fake one (src/test/fake-provider.sh): chat completions after 20 ms; a streamed one
sends a chunk every INTERVAL seconds (five content chunks, the usage chunk, [DONE]), so a gateway that buffers is
caught by the arrival times. Each check prints one line; the exit code is the number of failed checks.
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings

INTERVAL = float(os.environ.get("SMOKE_STREAM_INTERVAL", "0.3"))
MODEL = "gpt-4o-mini"


class Gateway:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key

    def call(self, method, path, body=None, key=None, headers=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + (key or self.key))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, method, path, body=None, key=None):
        status, _, data = self.call(method, path, body, key)
        return status, (json.loads(data) if data else None)


def chat(stream=False, interval=None):
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 16}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    if stream:
        body["metadata"] = {"interval": str(INTERVAL if interval is None else interval)}
    return body


def stream_times(gw, key, interval=None, timeout=60):
    """Opens a streamed chat; returns the seconds at which each data event arrived and whether [DONE] came."""
    request = urllib.request.Request(gw.base + "/v1/chat/completions", data=json.dumps(chat(True, interval)).encode(),
                                     method="POST")
    request.add_header("Authorization", "Bearer " + key)
    request.add_header("Content-Type", "application/json")
    start = time.monotonic()
    times, done = [], False
    with urllib.request.urlopen(request, timeout=timeout) as response:
        for line in response:
            line = line.strip()
            if line.startswith(b"data:"):
                times.append(time.monotonic() - start)
                done = done or line == b"data: [DONE]"
    return times, done


def threads_of(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):  # noqa: D401 - the flow's redirects are followed by hand
        return None


def sso(base):
    """Signs a person of the admin group in through the provider; (ok, detail)."""
    opener = urllib.request.build_opener(NoRedirects)

    def get(url, cookies=None, data=None):
        request = urllib.request.Request(url, data=data)
        if cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as e:
            response = e
        set_cookies = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            set_cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location"), set_cookies, response.read().decode(errors="replace")

    status, authorize, cookies, _ = get(base + "/admin/sso/start")
    if status != 302 or "code_challenge_method=S256" not in (authorize or ""):
        return False, f"start answered {status} {authorize}"
    claims = json.dumps({"email": "smoke@example.com", "groups": ["tr-admins"]})
    form = urllib.parse.urlencode({"username": "smoke-person", "claims": claims}).encode()
    status, callback, _, _ = get(authorize, data=form)
    if status != 302 or "/admin/sso/callback" not in (callback or ""):
        return False, f"the provider answered {status} {callback}"
    status, _, signed_in, page = get(callback, cookies)
    if status != 200 or "tr_console" not in signed_in or "/admin/index.xhtml" not in page:
        return False, f"the callback answered {status} {page[:120]!r}"
    status, _, _, page = get(base + "/admin/index.xhtml", signed_in)
    return status == 200 and "smoke@example.com" in page, f"index as the person: {status}, {len(page)} bytes"


def check(base, admin_key, pid, database=None):
    gw = Gateway(base, admin_key)
    results = []

    def report(name, ok, detail):
        results.append(ok)
        print(f"  {'PASS' if ok else 'FAIL'}  {name:<24} {detail}", flush=True)

    status, models = gw.json("GET", "/v1/models")
    ids = [m["id"] for m in (models or {}).get("data", [])] if status == 200 else []
    report("models", status == 200 and any(i.endswith(MODEL) for i in ids), f"{status} {ids}")

    # an inferrer key in a team whose quota allows two requests a day: the third is refused
    status, team = gw.json("POST", "/api/teams", {"name": f"smoke-{int(time.time() * 1000)}",
                                                   "quotas": [{"metric": "requests", "period": "day", "limit": 2}]})
    status, created = gw.json("POST", "/api/keys", {"name": "smoke", "role": "inferrer", "team_id": team["id"]})
    key = created["key"]

    t = time.monotonic()
    status, answer = gw.json("POST", "/v1/chat/completions", chat(), key)
    content = (answer or {}).get("choices", [{}])[0].get("message", {}).get("content") if status == 200 else answer
    report("chat", status == 200 and content == "Hello from the provider.",
           f"{status} {content!r} in {1000 * (time.monotonic() - t):.0f} ms")

    times, done = stream_times(gw, key)
    spread = times[-1] - times[0] if times else 0
    incremental = done and len(times) >= 7 and times[0] < 4 * INTERVAL and spread >= 3 * INTERVAL
    report("streamed chat", incremental,
           f"{len(times)} events at " + " ".join(f"{x:.2f}" for x in times) + " s" + ("" if done else ", no [DONE]"))

    status, headers, data = gw.call("POST", "/v1/chat/completions", chat(), key)
    error = json.loads(data).get("error", {}) if data else {}
    report("quota refusal", status == 429 and error.get("code") is not None and headers.get("Retry-After") is not None,
           f"{status} {error.get('code')} Retry-After={headers.get('Retry-After')} {error.get('message', '')[:70]!r}")

    # many open streams at once must not each hold a server thread: more streams than the servers' request
    # thread pools hold (Tomcat 200, WildFly 32 on this machine) must all run side by side, each as long as one
    status, bulk = gw.json("POST", "/api/keys", {"name": "smoke-streams", "role": "inferrer"})
    streams_open = int(os.environ.get("SMOKE_STREAMS", "400"))
    before = threads_of(pid)
    peak = [before]
    failures = []

    def one():
        try:
            _, ok = stream_times(gw, bulk["key"], interval=1.0, timeout=90)
            if not ok:
                failures.append("no [DONE]")
        except Exception as e:  # noqa: BLE001 - a smoke test reports whatever failed
            failures.append(repr(e))

    streams = [threading.Thread(target=one) for _ in range(streams_open)]
    started = time.monotonic()
    for s in streams:
        s.start()
    while any(s.is_alive() for s in streams):
        peak.append(threads_of(pid))
        time.sleep(0.25)
    for s in streams:
        s.join()
    took = time.monotonic() - started
    report(f"{streams_open} open streams", not failures and took < 9.0,
           f"all done in {took:.1f} s (one takes 5 s); server threads {before} -> {max(peak)}; "
           f"{len(failures)} failed {failures[:2]}")

    request = urllib.request.Request(base + "/admin/signin.xhtml")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            page = response.read().decode(errors="replace")
            ok = response.status == 200 and "Sign in" in page and "primefaces" in page.lower()
            report("console sign-in page", ok, f"{response.status}, {len(page)} bytes")
    except urllib.error.HTTPError as e:
        report("console sign-in page", False, f"{e.code}")

    status, headers, data = gw.call("GET", "/metrics")
    text = data.decode(errors="replace")
    report("metrics", status == 200 and "tokenrouter_requests" in text,
           f"{status}, {sum(1 for line in text.splitlines() if line.startswith('tokenrouter_'))} tokenrouter_ samples")

    # single sign-on through the OpenID Connect provider the script runs: start, the provider's form, the callback,
    # then a console page as the person
    if os.environ.get("SMOKE_OIDC"):
        report("single sign-on", *sso(base))

    # the audit trail names the team's creation, and its chain verifies
    status, headers, data = gw.call("GET", "/api/audit")
    lines = [json.loads(line) for line in data.decode().splitlines()] if status == 200 else []
    created_team = [e for e in lines if e["action"] == "change" and e["detail"].startswith(f"Created team '{team['name']}'")]
    status, verified = gw.json("GET", "/api/audit/verify")
    report("audit trail", len(created_team) == 1 and created_team[0]["ip"] in ("127.0.0.1", "::1")
           and (verified or {}).get("ok") is True and verified["last_seq"] == lines[-1]["seq"],
           f"{len(lines)} entries, verify {verified}")

    status, info = gw.json("GET", "/api/status")
    db = (info or {}).get("database", {})
    expected = database or db.get("source")
    report("database", status == 200 and db.get("source") == expected and info.get("database_reachable"),
           f"{db.get('product')} {db.get('version', '')[:12]} {db.get('url')} pool={db.get('pool')} "
           f"from {db.get('source')}; threads from {(info or {}).get('threads')}")
    return results.count(False)


def check_tls(https_base, http_base, cafile, admin_key, plain="redirected"):
    """HTTPS with the given certificate, TLS 1.2+ only, a streamed chat over it, plain HTTP redirected (or closed)."""
    import ssl
    failed = 0

    def report(name, ok, detail):
        nonlocal failed
        failed += 0 if ok else 1
        print(f"  {'PASS' if ok else 'FAIL'}  {name:<24} {detail}", flush=True)

    context = ssl.create_default_context(cafile=cafile)
    https = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    with https.open(https_base + "/api/health", timeout=30) as response:
        report("https health", response.status == 200, f"{response.status} over {https_base}")
    for version, expected in ((ssl.TLSVersion.TLSv1_3, True), (ssl.TLSVersion.TLSv1_2, True), (ssl.TLSVersion.TLSv1_1, False)):
        only = ssl.create_default_context(cafile=cafile)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                only.minimum_version = only.maximum_version = version
        except ValueError:
            continue
        try:
            with urllib.request.build_opener(urllib.request.HTTPSHandler(context=only)).open(
                    https_base + "/api/health", timeout=10):
                accepted = True
        except (ssl.SSLError, urllib.error.URLError, ConnectionError):
            accepted = False
        report(f"offers {version.name}", accepted == expected, "accepted" if accepted else "refused")
    request = urllib.request.Request(https_base + "/v1/chat/completions", data=json.dumps(chat(True)).encode(), method="POST")
    request.add_header("Authorization", "Bearer " + admin_key)
    request.add_header("Content-Type", "application/json")
    start, times = time.monotonic(), []
    with https.open(request, timeout=60) as response:
        for line in response:
            if line.startswith(b"data:"):
                times.append(time.monotonic() - start)
    report("streamed chat over TLS", len(times) >= 7 and times[-1] - times[0] >= 3 * INTERVAL,
           " ".join(f"{x:.2f}" for x in times) + " s")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        urllib.request.build_opener(NoRedirect()).open(http_base + "/v1/models?x=1", timeout=10)
        report("http " + plain, False, "answered over plain HTTP")
    except urllib.error.HTTPError as e:
        location = e.headers.get("Location", "")
        report("http " + plain, plain == "redirected" and e.code in (301, 302, 303, 307, 308) and location.startswith("https://")
               and location.endswith("/v1/models?x=1"), f"{e.code} -> {location}")
    except urllib.error.URLError as e:
        report("http " + plain, plain == "closed", f"{e.reason}")
    return failed


if __name__ == "__main__":
    if sys.argv[1] == "tls":
        sys.exit(check_tls(*sys.argv[2:7]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else None))
