package io.tokenrouter.upstream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BytesRequestContent;
import org.junit.jupiter.api.Test;

/**
 * The upstream client, chosen by measurement: the JDK's {@link HttpClient} (set up as the gateway used
 * it: a fixed pool of 16 threads, HTTP/1.1 in clear text, {@code sendAsync} with a body subscriber) and
 * Jetty's {@code HttpClient} 12 through the gateway's own {@link UpstreamHttp}, one after the other in
 * this JVM against the same upstream (the benchmark's nginx), each for the same load: CPU per request
 * at 16 requests in flight, threads started per 1,000 requests, time to the answer's head for one
 * client at a time. {@code src/bench/run.sh} runs it with its nginx up
 * ({@code mvn -Pbench test -Dtest=UpstreamClientBenchmark -Dupstream.url=… -Dupstream.out=…}).
 */
class UpstreamClientBenchmark {

    private static final byte[] BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":64}"
            .getBytes(StandardCharsets.UTF_8);
    private static final int IN_FLIGHT = 16;
    private static final Duration MEASURE = Duration.ofSeconds(10);

    /** Sends one request; calls back once with the time the head arrived (ns) and once the body is read. */
    interface Client {
        void send(Consumer<Long> head, Runnable done);
    }

    @Test
    void jdkAgainstJetty() throws Exception {
        URI uri = URI.create(System.getProperty("upstream.url", "http://127.0.0.1:18081/v1/chat/completions"));
        assumeTrue(reachable(uri), "no upstream at " + uri + " (src/bench/run.sh starts one)");
        List<String> lines = new ArrayList<>();

        ExecutorService pool = Executors.newFixedThreadPool(16);
        HttpClient jdk = HttpClient.newBuilder().executor(pool).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        lines.add(measure("jdk", (head, done) -> jdk.sendAsync(HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build(),
                info -> {
                    head.accept(System.nanoTime());
                    return new Discard(done);
                })));
        pool.shutdownNow();

        UpstreamHttp jetty = new UpstreamHttp();
        jetty.init();
        lines.add(measure("jetty", (head, done) -> jetty.post(uri, Duration.ofSeconds(5),
                request -> request.headers(h -> h.put("Content-Type", "application/json"))
                        .body(new BytesRequestContent("application/json", BODY)), Duration.ofSeconds(30),
                info -> {
                    head.accept(System.nanoTime());
                    return new Discard(done);
                }, failure -> done.run())));
        jetty.close();

        String out = System.getProperty("upstream.out");
        if (out != null) {
            Files.write(Path.of(out), lines);
        }
        lines.forEach(System.out::println);
    }

    private static String measure(String name, Client client) throws Exception {
        run(client, Duration.ofSeconds(15)); // warm-up
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long started0 = threads.getTotalStartedThreadCount();
        threads.resetPeakThreadCount();
        long requests = run(client, MEASURE);
        long cpu = os.getProcessCpuTime() - cpu0;
        long started = threads.getTotalStartedThreadCount() - started0;
        int peak = threads.getPeakThreadCount();

        List<Long> heads = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long sent = System.nanoTime();
            CompletableFuture<Long> head = new CompletableFuture<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            client.send(head::complete, () -> done.complete(null));
            heads.add(head.get(10, TimeUnit.SECONDS) - sent);
            done.get(10, TimeUnit.SECONDS);
        }
        Collections.sort(heads);
        return String.format(Locale.ROOT, "{\"client\":\"%s\",\"requests_per_second\":%.0f,\"cpu_us_per_request\":%.1f,"
                        + "\"threads_started_per_1000\":%.1f,\"peak_threads\":%d,\"head_median_us\":%.0f,\"head_p99_us\":%.0f}",
                name, requests / (double) MEASURE.toSeconds(), cpu / 1000.0 / requests, 1000.0 * started / requests, peak,
                heads.get(heads.size() / 2) / 1000.0, heads.get(heads.size() * 99 / 100) / 1000.0);
    }

    /** Keeps {@value #IN_FLIGHT} requests in flight for {@code time}; answers how many completed. */
    private static long run(Client client, Duration time) throws InterruptedException {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicLong completed = new AtomicLong();
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            client.send(head -> { }, () -> {
                completed.incrementAndGet();
                slots.release();
            });
        }
        slots.acquire(IN_FLIGHT);
        return completed.get();
    }

    private static boolean reachable(URI uri) {
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads and drops the answer, as the gateway's relays read theirs, then calls {@code done}. */
    static final class Discard implements Flow.Subscriber<List<ByteBuffer>>, HttpResponse.BodySubscriber<Void> {
        private final Runnable done;
        private final CompletableFuture<Void> body = new CompletableFuture<>();
        private long bytes;

        Discard(Runnable done) {
            this.done = done;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                bytes += b.remaining();
                b.position(b.limit());
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.complete(null);
            done.run();
        }

        @Override
        public void onComplete() {
            body.complete(null);
            done.run();
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> getBody() {
            return body;
        }
    }
}
