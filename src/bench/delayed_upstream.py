"""A streaming upstream on 127.0.0.1 that paces its events: /v1/chat/completions sends EVENTS chunk
events INTERVAL seconds apart (query-free: set by the model name, e.g. "paced-20x0.01" or
"paced-60x1"), then the usage event and [DONE]. Used for time-to-first-event and long-stream runs."""
import asyncio, json, sys

CHUNK = {"id": "chatcmpl-paced", "object": "chat.completion.chunk", "created": 1700000000, "model": "paced",
         "choices": [{"index": 0, "delta": {"content": "token "}, "finish_reason": None}]}
USAGE = {"id": "chatcmpl-paced", "object": "chat.completion.chunk", "created": 1700000000, "model": "paced",
         "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}}


def frame(payload):
    data = ("data: " + (payload if isinstance(payload, str) else json.dumps(payload)) + "\n\n").encode()
    return b"%x\r\n%s\r\n" % (len(data), data)


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            headers = {}
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, v = h.decode().split(":", 1)
                headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if line.startswith(b"GET"):
                b = json.dumps({"object": "list", "data": [{"id": m, "object": "model"}
                                                           for m in ("paced-20x0.01", "paced-60x1",
                                                                     "paced-2x0.001")]}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(b) + b)
                await writer.drain()
                continue
            model = json.loads(body).get("model", "paced-20x0.01")
            count, interval = model.rsplit("-", 1)[1].split("x")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            for i in range(int(count)):
                if i:
                    await asyncio.sleep(float(interval))
                writer.write(frame(CHUNK))
                await writer.drain()
            writer.write(frame(USAGE) + frame("[DONE]") + b"0\r\n\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    async with server:
        await server.serve_forever()

asyncio.run(main())
