"""Opens N concurrent streaming chat requests to the gateway and reads them to the end; prints a JSON
summary. Usage: streams.py PORT KEY N MODEL"""
import asyncio, json, sys, time

PORT, KEY, N, MODEL = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
stats = {"completed": 0, "errors": 0, "events": 0}


async def one():
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        body = json.dumps({"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
        writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                     % (KEY.encode(), len(body)) + body)
        await writer.drain()
        status = await reader.readline()
        ok = b" 200 " in status
        done = False
        while True:
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                stats["events"] += 1
                done = done or b"[DONE]" in line
        stats["completed" if ok and done else "errors"] += 1
        writer.close()
    except OSError:
        stats["errors"] += 1


async def main():
    start = time.time()
    await asyncio.gather(*[one() for _ in range(N)])
    stats["seconds"] = round(time.time() - start, 1)
    print(json.dumps(stats))

asyncio.run(main())
