"""A fake OpenAI-compatible provider on 127.0.0.1 that counts what it answers, for the cluster test.

    python3 upstream.py PORT

Every path may carry a prefix that names a provider, so several providers can point at one server:
base_url http://127.0.0.1:PORT/v1 is provider "main", http://127.0.0.1:PORT/spare/v1 is "spare".

  GET  /<prefix>/v1/models             the model list (gpt-4o-mini)
  POST /<prefix>/v1/chat/completions   a chat answer with usage, after ~50 ms; with "stream": true, five
                                       chunk events 40 ms apart, the usage event and [DONE]
  POST /webhook                        an alert the gateway sent (kept)
  GET  /webhooks                       every alert received, as sent
  GET  /count                          {"chat": n, "by_provider": {...}}: chat completions answered
  GET  /requests                       every chat completion answered: X-Request-ID, provider, stream,
                                       when it started and whether the answer was written to the end
"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ANSWERED = []  # dicts: request_id, provider, stream, started, completed
WEBHOOKS = []  # the alerts received
MODELS = {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "created": 1700000000, "owned_by": "fake"}]}


def chunk(content, finish=None):
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def split(self):
        """(provider, path below it): /spare/v1/models -> ("spare", "/v1/models"), /v1/models -> ("main", ...)."""
        path = self.path.split("?", 1)[0]
        if path.startswith("/v1/") or not path.startswith("/"):
            return "main", path
        prefix, _, rest = path[1:].partition("/")
        return prefix, "/" + rest

    def json(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        provider, path = self.split()
        if self.path == "/count":
            with LOCK:
                by = {}
                for a in ANSWERED:
                    by[a["provider"]] = by.get(a["provider"], 0) + 1
                return self.json(200, {"chat": len(ANSWERED), "by_provider": by})
        if self.path == "/requests":
            with LOCK:
                return self.json(200, list(ANSWERED))
        if self.path == "/webhooks":
            with LOCK:
                return self.json(200, list(WEBHOOKS))
        if path == "/v1/models":
            return self.json(200, MODELS)
        self.json(404, {"error": {"message": "no route " + self.path, "type": "invalid_request_error"}})

    def do_POST(self):
        provider, path = self.split()
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if self.path == "/webhook":
            with LOCK:
                WEBHOOKS.append(body)
            return self.json(200, {"ok": True})
        if path != "/v1/chat/completions":
            return self.json(404, {"error": {"message": "no route " + self.path, "type": "invalid_request_error"}})
        record = {"request_id": self.headers.get("X-Request-ID"), "provider": provider,
                  "stream": bool(body.get("stream")), "started": time.time(), "completed": False}
        with LOCK:
            ANSWERED.append(record)
        if not body.get("stream"):
            time.sleep(0.05)
            self.json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000,
                            "model": "gpt-4o-mini",
                            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from the fake."},
                                         "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}})
            record["completed"] = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = [chunk(w) for w in ("Hello", " from", " the", " fake", ".")]
        events[-1]["choices"][0]["finish_reason"] = "stop"
        events.append({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000,
                       "model": "gpt-4o-mini", "choices": [],
                       "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}})
        try:
            for i, event in enumerate(events):
                if i:
                    time.sleep(0.04)
                self.frame("data: " + json.dumps(event) + "\n\n")
            self.frame("data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            record["completed"] = True
        except OSError:
            self.close_connection = True

    def frame(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a gateway node killed mid-request
            super().handle_error(request, client_address)


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
