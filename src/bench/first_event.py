"""Time to the first event of a streamed chat completion, direct and through the gateway, one request at a time,
alternating between the two. Prints one JSON object of medians and 99th percentiles (ms).

  first_event.py new DIRECT_PORT GATEWAY_PORT KEY N    # a new connection per request; 20 events 10 ms apart
  first_event.py kept DIRECT_PORT GATEWAY_PORT KEY N   # kept-alive connections, back to back; 2 events 1 ms apart

The clock starts before the connection is opened (for `new`) or before the request is written (for `kept`). The
first event is the first `data:` line received; the direct upstream writes its head before its first event, the
gateway sends its head with the first event, so the first event is the fair comparison."""
import json, socket, statistics, sys, time

MODE, DIRECT, GATEWAY, KEY, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
MODEL = "paced-20x0.01" if MODE == "new" else "paced-2x0.001"
END = b"\r\n0\r\n\r\n"


def request(port, model, key, close):
    body = json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
    head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n" % port
    if key:
        head += "Authorization: Bearer %s\r\n" % key
    if close:
        head += "Connection: close\r\n"
    return (head + "Content-Length: %d\r\n\r\n" % len(body)).encode() + body


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def exchange(sock, req, t0):
    """Sends the request and reads its chunked answer to the end; the time of its first event."""
    sock.sendall(req)
    buf, first_event = b"", None
    while not buf.endswith(END):
        data = sock.recv(65536)
        if not data:
            raise SystemExit("the server closed the connection before the end of the answer")
        now = time.perf_counter()
        buf += data
        if not buf.startswith(b"HTTP/1.1 200 ") and b"\r\n\r\n" in buf:
            raise SystemExit("not a streamed answer: " + buf[:300].decode(errors="replace"))
        if first_event is None and b"data:" in buf:
            first_event = now
    return first_event - t0


def run():
    targets = {"direct": (DIRECT, MODEL, None), "gateway": (GATEWAY, "paced/" + MODEL, KEY)}
    times = {name: [] for name in targets}
    socks = {}
    for i in range(N):
        for name, (port, model, key) in targets.items():
            if MODE == "new":
                t0 = time.perf_counter()
                with connect(port) as s:
                    times[name].append(exchange(s, request(port, model, key, True), t0))
            else:
                if i % 90 == 0:  # below Tomcat's default of 100 requests per connection; opened outside the clock
                    if name in socks:
                        socks[name].close()
                    socks[name] = connect(port)
                t0 = time.perf_counter()
                times[name].append(exchange(socks[name], request(port, model, key, False), t0))
    result = {"mode": MODE, "requests": N, "events": MODEL}
    for name, values in times.items():
        values = values[N // 20:] if MODE == "kept" else values  # the first few warm the connections' paths
        xs = sorted(v * 1e3 for v in values)
        result["%s_first_event_median" % name] = statistics.median(xs)
        result["%s_first_event_p99" % name] = xs[min(len(xs) - 1, int(len(xs) * 0.99))]
    print(json.dumps(result))


run()
