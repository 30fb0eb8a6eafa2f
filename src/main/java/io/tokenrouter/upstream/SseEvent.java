package io.tokenrouter.upstream;

/**
 * One server-sent event as received: its raw bytes (relayed unchanged, blank-line terminator included),
 * its {@code event:} name (or null) and its joined {@code data:} lines (or null).
 */
public record SseEvent(byte[] raw, String event, String data) {

    public boolean isDone() {
        return "[DONE]".equals(data);
    }
}
