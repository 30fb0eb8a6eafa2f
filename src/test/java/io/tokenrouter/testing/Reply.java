package io.tokenrouter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What {@link ScriptedUpstream} does with one request. */
public abstract class Reply {

    /** The connection a reply plays on. */
    public record Connection(Socket socket, InputStream in, OutputStream out, ScriptedUpstream.Received request) {
    }

    /** Plays the reply; returns whether the connection may serve another request. */
    abstract boolean play(Connection c) throws IOException;

    public static Reply json(int status, String body, String... headerPairs) {
        return raw(status, "application/json", body, headerPairs);
    }

    public static Reply raw(int status, String contentType, String body, String... headerPairs) {
        return new Reply() {
            @Override
            boolean play(Connection c) throws IOException {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Status\r\n")
                        .append("Content-Type: ").append(contentType).append("\r\n")
                        .append("Content-Length: ").append(bytes.length).append("\r\n");
                for (int i = 0; i + 1 < headerPairs.length; i += 2) {
                    head.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
                }
                c.out().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                c.out().write(bytes);
                c.out().flush();
                return true;
            }
        };
    }

    /** Accepts the request and then says nothing for {@code millis}, then closes. */
    public static Reply silence(long millis) {
        return new Reply() {
            @Override
            boolean play(Connection c) {
                ScriptedUpstream.sleep(millis);
                return false;
            }
        };
    }

    /** {@code matched} when the request's {@code header} equals {@code value}, else {@code otherwise}. */
    public static Reply when(String header, String value, Reply matched, java.util.function.Function<ScriptedUpstream.Received, Reply> otherwise) {
        return new Reply() {
            @Override
            boolean play(Connection c) throws IOException {
                return value.equals(c.request().header(header)) ? matched.play(c) : otherwise.apply(c.request()).play(c);
            }
        };
    }

    /** Resets the connection (TCP RST) without answering. */
    public static Reply reset() {
        return new Reply() {
            @Override
            boolean play(Connection c) throws IOException {
                c.socket().setSoLinger(true, 0);
                c.socket().close();
                return false;
            }
        };
    }

    /** An SSE answer: each {@code data} payload is sent as one event, {@code delayMillis} apart. */
    public static Stream sse(List<String> dataPayloads, long delayMillis) {
        return new Stream(dataPayloads, delayMillis, false);
    }

    /** Like {@link #sse}, but the connection is cut after the events, without ending the chunked body. */
    public static Stream sseCutOff(List<String> dataPayloads, long delayMillis) {
        return new Stream(dataPayloads, delayMillis, true);
    }

    /** A streamed answer that records when each event left and when the gateway hung up. */
    public static final class Stream extends Reply {
        private final List<String> events;
        private final long delayMillis;
        private final boolean cutOff;
        private final List<Long> sentAtNanos = new CopyOnWriteArrayList<>();
        private final CountDownLatch peerClosed = new CountDownLatch(1);
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile long peerClosedAtNanos;
        private String contentType = "text/event-stream";
        private boolean rawFrames;
        private boolean keepAlive;
        private volatile boolean complete;

        private Stream(List<String> events, long delayMillis, boolean cutOff) {
            this.events = events;
            this.delayMillis = delayMillis;
            this.cutOff = cutOff;
        }

        /**
         * Keeps the connection open for the next request after the stream, as providers do (the default closes it,
         * so that a test can tell when the gateway hangs up); the hang-up is then not watched for.
         */
        public Stream keepAlive() {
            this.keepAlive = true;
            return this;
        }

        /** Whether every event and the end of the body were written. */
        public boolean complete() {
            return complete;
        }

        /** Sends the strings as they are instead of wrapping each in {@code data: ...\n\n}. */
        public Stream rawFrames() {
            this.rawFrames = true;
            return this;
        }

        @Override
        boolean play(Connection c) throws IOException {
            if (!keepAlive) {
                watchForHangUp(c);
            }
            try {
                // the connection closes after the stream, so the answer says so: a client must not put another
                // request on it (a request the provider may have received is never sent twice, so it would fail)
                c.out().write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType
                        + "\r\nTransfer-Encoding: chunked\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                c.out().flush();
                for (int i = 0; i < events.size(); i++) {
                    if (i > 0 && delayMillis > 0) {
                        ScriptedUpstream.sleep(delayMillis);
                    }
                    writeChunk(c.out(), rawFrames ? events.get(i) : "data: " + events.get(i) + "\n\n");
                    sentAtNanos.add(System.nanoTime());
                }
                if (cutOff) {
                    c.socket().setSoLinger(true, 0);
                    c.socket().close();
                    return false;
                }
                c.out().write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                c.out().flush();
                complete = true;
                return keepAlive;
            } catch (IOException e) {
                markPeerClosed();
                return false;
            } finally {
                finished.countDown();
            }
        }

        private void watchForHangUp(Connection c) {
            Thread watcher = new Thread(() -> {
                try {
                    while (c.in().read() != -1) {
                        // nothing else is expected from the gateway on this connection
                    }
                } catch (IOException ignored) {
                    // a reset is a hang-up too
                }
                if (finished.getCount() > 0) {
                    markPeerClosed();
                }
            }, "scripted-upstream-hangup-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        private void markPeerClosed() {
            if (peerClosed.getCount() > 0) {
                peerClosedAtNanos = System.nanoTime();
                peerClosed.countDown();
            }
        }

        /** One chunk in one write, as a server sends an event. */
        private static void writeChunk(OutputStream out, String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            byte[] size = (Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] chunk = java.util.Arrays.copyOf(size, size.length + bytes.length + 2);
            System.arraycopy(bytes, 0, chunk, size.length, bytes.length);
            chunk[chunk.length - 2] = '\r';
            chunk[chunk.length - 1] = '\n';
            out.write(chunk);
            out.flush();
        }

        public List<Long> sentAtNanos() {
            return sentAtNanos;
        }

        /** Waits until the gateway closed the connection before the stream ended; returns when, or 0. */
        public long awaitPeerClosedNanos(long timeoutMillis) throws InterruptedException {
            return peerClosed.await(timeoutMillis, TimeUnit.MILLISECONDS) ? peerClosedAtNanos : 0;
        }

        public boolean awaitFinished(long timeoutMillis) throws InterruptedException {
            return finished.await(timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

}
