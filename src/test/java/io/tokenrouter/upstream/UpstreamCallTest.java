package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.testing.Waits;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BytesRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream exchange against a provider on plain sockets that closes connections at chosen moments:
 * every failure after the request began is final, and nothing is sent twice that the provider may have
 * acted on.
 */
class UpstreamCallTest {

    /**
     * What the provider does with one request: answer it, close without a byte, cut its answer short, send
     * nothing until {@link #release}, send the head at once and the body once released, or answer and then close
     * the connection (as a provider does with a connection it keeps no longer).
     */
    enum Act { ANSWER, CLOSE, CUT, SILENT, HEAD_THEN_HOLD, ANSWER_THEN_CLOSE }

    /** The n-th request the provider receives (from 0) on the c-th connection it accepted (from 0), and its body. */
    interface Script {
        Act act(int connection, int request, String body);
    }

    private ServerSocket server;
    private volatile Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private UpstreamHttp http;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "test-provider");
        acceptor.setDaemon(true);
        acceptor.start();
        http = new UpstreamHttp();
        http.init();
    }

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        http.close();
        server.close();
    }

    /**
     * Issue 24, item 8: a provider that read the request and closed the connection may be generating (and
     * billing) its answer; the request is never sent a second time, on a new connection or a kept-alive one.
     * (The provider adds a request to {@code received} before it closes, and the client hears of the
     * close only after it: once the failure is seen, every request the provider got is listed.)
     */
    @Test
    void aFreshConnectionTheProviderClosesAfterTheRequestIsNotSentAgain() throws Exception {
        script = (connection, request, body) -> Act.CLOSE;

        assertThat(failure(post("only"))).isInstanceOf(EOFException.class);

        assertThat(received).containsExactly("0:only");
        assertThat(connections).hasValue(1);
    }

    @Test
    void aKeptAliveConnectionTheProviderClosesAfterReadingTheRequestIsNotSentAgain() throws Exception {
        script = (connection, request, body) -> connection == 0 && request == 1 ? Act.CLOSE : Act.ANSWER;

        assertThat(post("first").get(5, TimeUnit.SECONDS)).isEqualTo("answer to first");
        assertThat(failure(post("second"))).isInstanceOf(EOFException.class);

        assertThat(received).containsExactly("0:first", "0:second");
        assertThat(post("third").get(5, TimeUnit.SECONDS)).as("the next request gets a new connection")
                .isEqualTo("answer to third");
        assertThat(received).containsExactly("0:first", "0:second", "1:third");
    }

    @Test
    void anAnswerCutShortAfterItsHeadIsNotSentAgain() throws Exception {
        script = (connection, request, body) -> request == 1 ? Act.CUT : Act.ANSWER;

        assertThat(post("first").get(5, TimeUnit.SECONDS)).isEqualTo("answer to first");
        assertThat(failure(post("second"))).isInstanceOf(EOFException.class);

        assertThat(received).containsExactly("0:first", "0:second");
    }

    @Test
    void aRefusedConnectionIsNotTriedAgain() throws Exception {
        int port = server.getLocalPort();
        server.close();
        CompletableFuture<String> answer = new CompletableFuture<>();
        http.post(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), Duration.ofSeconds(2),
                request -> request.body(new BytesRequestContent("text/plain", "x".getBytes(StandardCharsets.UTF_8))),
                Duration.ofSeconds(5), head -> new Collect(answer), answer::completeExceptionally);

        assertThat(failure(answer)).isInstanceOf(java.net.ConnectException.class);
    }

    /**
     * Every call's header timeout is watched by one timer: a short one that starts after a long one still ends its
     * call on time, and a call whose head arrived is not ended by its header timeout however long its body takes.
     */
    @Test
    void theHeaderTimeoutEndsOnlyCallsStillWaitingForTheirHead() throws Exception {
        script = (connection, request, body) -> switch (body) {
            case "slow" -> Act.HEAD_THEN_HOLD;
            case "silent" -> Act.SILENT;
            default -> Act.ANSWER;
        };

        CompletableFuture<String> headFirst = post("slow", Duration.ofMillis(200));
        CompletableFuture<String> patient = post("silent", Duration.ofSeconds(60));
        CompletableFuture<String> impatient = post("silent", Duration.ofMillis(200));

        assertThat(failure(impatient)).isInstanceOf(java.net.http.HttpTimeoutException.class)
                .hasMessage("no answer within 200 ms");
        // the short timeout fired, so the first call's earlier deadline has passed too: its head had arrived
        assertThat(headFirst).isNotDone();
        assertThat(patient).isNotDone();
        release.countDown();
        assertThat(headFirst.get(5, TimeUnit.SECONDS)).isEqualTo("answer to slow");
        assertThat(failure(patient)).as("its provider closed without answering").isInstanceOf(EOFException.class);
    }

    /**
     * Issue 29, item 4: a provider called lately whose last connection closed gets one again before its next
     * request, which is then sent on it without connecting; one that has not been called for {@link
     * UpstreamHttp#KEEP_WARM_FOR} gets none, and one with a connection gets no second.
     */
    @Test
    void aProviderCalledLatelyHasAConnectionReadyWhenItsLastOneCloses() throws Exception {
        script = (connection, request, body) -> body.equals("first") ? Act.ANSWER_THEN_CLOSE : Act.ANSWER;
        AtomicLong now = new AtomicLong(System.nanoTime());
        http.nanoTime = now::get;
        URI provider = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");

        assertThat(post("first").get(5, TimeUnit.SECONDS)).isEqualTo("answer to first");
        Waits.await("the closed connection leaves the pool", Duration.ofSeconds(5)).until(() -> http.connectionsTo(provider) == 0);
        assertThat(http.keepWarm()).isEqualTo(1);
        Waits.await("the provider accepts a second connection", Duration.ofSeconds(5)).until(() -> connections.get() == 2);
        // counted in the pool while it still connects; ready once it is idle there (on a busy machine, later)
        Waits.await("it is ready in the pool", Duration.ofSeconds(5)).until(() -> http.idleConnectionsTo(provider) == 1);
        assertThat(http.connectionsTo(provider)).isEqualTo(1);
        assertThat(http.keepWarm()).as("one is enough").isZero();

        assertThat(post("second").get(5, TimeUnit.SECONDS)).isEqualTo("answer to second");
        assertThat(received).containsExactly("0:first", "1:second");
        assertThat(connections).as("the request found its connection ready").hasValue(2);

        script = (connection, request, body) -> Act.ANSWER_THEN_CLOSE;
        assertThat(post("third").get(5, TimeUnit.SECONDS)).isEqualTo("answer to third");
        Waits.await("the closed connection leaves the pool", Duration.ofSeconds(5)).until(() -> http.connectionsTo(provider) == 0);
        now.addAndGet(UpstreamHttp.KEEP_WARM_FOR.plusSeconds(1).toNanos());
        assertThat(http.keepWarm()).as("not called for longer than that").isZero();
        assertThat(http.connectionsTo(provider)).isZero();
    }

    private CompletableFuture<String> post(String body) {
        return post(body, Duration.ofSeconds(5));
    }

    private CompletableFuture<String> post(String body, Duration headerTimeout) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        http.post(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions"), Duration.ofSeconds(2),
                request -> request.body(new BytesRequestContent("text/plain", body.getBytes(StandardCharsets.UTF_8))),
                headerTimeout, head -> new Collect(answer), answer::completeExceptionally);
        return answer;
    }

    private static Throwable failure(CompletableFuture<String> answer) throws Exception {
        try {
            answer.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the exchange did not fail");
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int index = connections.getAndIncrement();
                Thread t = new Thread(() -> serve(socket, index), "test-provider-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (int request = 0; ; request++) {
                String body = readRequest(in);
                if (body == null) {
                    return;
                }
                received.add(connection + ":" + body);
                Act act = script.act(connection, request, body);
                if (act == Act.CLOSE) {
                    return;
                }
                if (act == Act.SILENT) {
                    release.await();
                    return;
                }
                byte[] answer = ("answer to " + body).getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + answer.length + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                if (act == Act.HEAD_THEN_HOLD) {
                    out.flush();
                    release.await();
                }
                out.write(answer, 0, act == Act.CUT ? 3 : answer.length);
                out.flush();
                if (act == Act.CUT || act == Act.ANSWER_THEN_CLOSE) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads one request's head and body; null at the end of the connection. */
    private static String readRequest(InputStream in) throws IOException {
        int length = -1;
        boolean any = false;
        for (String line = readLine(in); line != null; line = readLine(in)) {
            any = true;
            if (line.isEmpty()) {
                byte[] body = in.readNBytes(Math.max(0, length));
                return new String(body, StandardCharsets.UTF_8);
            }
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        if (any) {
            throw new IOException("the request ended inside its head");
        }
        return null;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    /** POSTs {@code {}} to {@code uri} through {@code http} and gathers the answer's body as text. */
    static CompletableFuture<String> postEmptyObject(UpstreamHttp http, URI uri) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        http.post(uri, Duration.ofSeconds(5), request -> request.body(new BytesRequestContent("application/json", body)),
                Duration.ofSeconds(10), head -> new Collect(answer), answer::completeExceptionally);
        return answer;
    }

    /** Gathers the answer's body as text. */
    static final class Collect implements Flow.Subscriber<List<ByteBuffer>> {
        private final CompletableFuture<String> answer;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Collect(CompletableFuture<String> answer) {
            this.answer = answer;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            for (ByteBuffer buffer : item) {
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            answer.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            answer.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
