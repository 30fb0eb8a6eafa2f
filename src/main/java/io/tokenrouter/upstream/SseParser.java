package io.tokenrouter.upstream;

import java.util.Arrays;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits an SSE byte stream into events as bytes arrive, whatever the chunk boundaries. Lines end in
 * LF, CRLF or CR; a blank line ends an event. Not thread-safe: one parser per stream.
 */
public final class SseParser {

    /** An event larger than this is treated as a broken stream rather than buffered without end. */
    public static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private final Consumer<SseEvent> sink;
    private final Bytes raw = new Bytes(256);
    private final Bytes line = new Bytes(256);
    private StringBuilder data;
    private String event;
    private boolean pendingCr;

    public SseParser(Consumer<SseEvent> sink) {
        this.sink = sink;
    }

    public void feed(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (pendingCr) {
                // a CR ends the line, but an LF right after it belongs to the same line end
                pendingCr = false;
                if (b == '\n') {
                    raw.write(b);
                    endLine();
                    continue;
                }
                endLine();
            }
            raw.write(b);
            if (b == '\r') {
                pendingCr = true;
            } else if (b == '\n') {
                endLine();
            } else {
                line.write(b);
            }
            if (raw.size() > MAX_EVENT_BYTES) {
                throw new IllegalStateException("an SSE event exceeds " + MAX_EVENT_BYTES + " bytes");
            }
        }
    }

    /** Emits a last event that the upstream did not terminate with a blank line. */
    public void finish() {
        if (pendingCr) {
            pendingCr = false;
            endLine();
        }
        if (line.size() > 0) {
            endLine();
        }
        if (data != null || event != null) {
            raw.write('\n');
            if (!endsWithBlankLine()) {
                raw.write('\n');
            }
            emit();
        }
    }

    private boolean endsWithBlankLine() {
        byte[] bytes = raw.toByteArray();
        int n = bytes.length;
        return n >= 2 && bytes[n - 1] == '\n' && bytes[n - 2] == '\n';
    }

    private void endLine() {
        if (line.size() == 0) {
            if (data != null || event != null) {
                emit();
            } else {
                raw.reset();
            }
            return;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("data")) {
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        } else if (field.equals("event")) {
            event = value;
        }
    }

    private void emit() {
        SseEvent e = new SseEvent(raw.toByteArray(), event, data == null ? null : data.toString());
        raw.reset();
        data = null;
        event = null;
        sink.accept(e);
    }

    /** A growable byte buffer without ByteArrayOutputStream's locking: the parser writes byte by byte. */
    private static final class Bytes {
        private byte[] bytes;
        private int size;

        Bytes(int capacity) {
            bytes = new byte[capacity];
        }

        void write(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = (byte) b;
        }

        int size() {
            return size;
        }

        void reset() {
            size = 0;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        String toString(java.nio.charset.Charset charset) {
            return new String(bytes, 0, size, charset);
        }
    }
}
