package io.tokenrouter.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real HTTP/1.1 server on 127.0.0.1 that plays an LLM provider. Each test scripts one-shot replies per
 * method and path (JSON, SSE events with delays, truncated streams, connection resets, silence), and
 * everything received is recorded. Written on plain sockets so that faults (resets, cut-off chunked
 * bodies) and the moment the gateway closes a connection can be produced and observed exactly.
 */
public final class ScriptedUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final Map<String, Deque<Reply>> scripted = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Reply> fallback = DefaultReplies::forRequest;
    private volatile boolean closed;
    private volatile boolean recording = true;

    public ScriptedUpstream(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread acceptor = new Thread(this::acceptLoop, "scripted-upstream-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Whether requests are kept for {@link #received}; a long-running fake (a script's provider) keeps none. */
    public ScriptedUpstream recording(boolean on) {
        recording = on;
        return this;
    }

    /** The next {@code method path} request gets {@code reply}; later ones get the default again. */
    public ScriptedUpstream on(String method, String path, Reply reply) {
        scripted.computeIfAbsent(method + " " + path, k -> new ConcurrentLinkedDeque<>()).add(reply);
        return this;
    }

    /** Every request not scripted gets {@code replies}'s answer (until {@link #reset}), instead of the default. */
    public ScriptedUpstream answerAll(Function<Received, Reply> replies) {
        fallback = replies;
        return this;
    }

    /** Forgets scripts, recordings and a fallback between tests. */
    public void reset() {
        scripted.clear();
        received.clear();
        fallback = DefaultReplies::forRequest;
    }

    public List<Received> received() {
        return Collections.unmodifiableList(new ArrayList<>(received));
    }

    /** The last request received for {@code path}, waiting briefly for it to arrive. */
    public Received last(String method, String path) {
        for (int i = 0; i < 100; i++) {
            for (int j = received.size() - 1; j >= 0; j--) {
                Received r = received.get(j);
                if (r.method().equals(method) && r.path().equals(path)) {
                    return r;
                }
            }
            sleep(20);
        }
        throw new AssertionError("no " + method + " " + path + " received; got " + received);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                // as providers' servers do: a small write (an event) leaves at once, not after the peer's delayed ACK
                socket.setTcpNoDelay(true);
                open.add(socket);
                Thread t = new Thread(() -> serve(socket), "scripted-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    e.printStackTrace();
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                Received request = readRequest(in, socket);
                if (request == null) {
                    return;
                }
                if (recording) {
                    received.add(request);
                }
                Deque<Reply> queue = scripted.get(request.method() + " " + request.path());
                Reply reply = queue == null ? null : queue.poll();
                if (reply == null) {
                    reply = fallback.apply(request);
                }
                if (!reply.play(new Reply.Connection(socket, in, out, request))) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away; nothing to do
        } finally {
            open.remove(socket);
        }
    }

    private static Received readRequest(InputStream in, Socket socket) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Received(parts[0], parts[1], headers, new String(body, StandardCharsets.UTF_8),
                socket.getPort(), System.nanoTime());
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** One request as the upstream saw it. */
    public record Received(String method, String path, Map<String, String> headers, String body, int clientPort,
                           long receivedAtNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }
}
