package io.tokenrouter.upstream;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The long-lived HTTP clients the gateway forwards with: Jetty's non-blocking client (selector threads
 * read every upstream; no thread waits for one), keep-alive pooled HTTP/1.1. One client per distinct
 * connect timeout, as that is set per client; all share one bounded thread pool.
 *
 * <p>What the gateway does with an answer's bytes never blocks: a buffered answer is parsed and handed
 * on, a streamed one's events go to the client-write lanes, and anything that may wait (a client's
 * socket, a quota settled in the database) runs in those lanes. So the transport declares its answers
 * {@linkplain Invocable.InvocationType#NON_BLOCKING non-blocking}, and Jetty handles them on the thread
 * that selected them instead of handing each to another thread; there is one selector per CPU, so a
 * long answer being parsed holds up only the connections of its own selector.
 *
 * <p>Chosen over the JDK's {@link java.net.http.HttpClient} by the benchmark in {@code src/bench}: the
 * JDK client hands every completed exchange to the {@code CompletableFuture} default executor, which on
 * a machine with two CPUs or fewer is a new thread per request.
 */
@ApplicationScoped
public class UpstreamHttp {

    private static final Logger LOG = Logger.getLogger(UpstreamHttp.class.getName());
    private static final int SELECTORS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final int THREADS = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());
    /** Upstream connections per provider address: far above any concurrency one node serves. */
    private static final int MAX_CONNECTIONS = 16_384;
    /** How long a pooled connection may sit unused before it is closed. */
    private static final Duration POOLED_IDLE = Duration.ofSeconds(60);

    private final QueuedThreadPool threads = new QueuedThreadPool(THREADS, 2);
    private final ScheduledExecutorScheduler timers = new ScheduledExecutorScheduler("upstream-timer", true);
    private final HeaderTimeouts headerTimeouts = new HeaderTimeouts(timers);
    private final ConcurrentMap<Duration, HttpClient> clients = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        threads.setName("upstream");
        threads.setDaemon(true);
        try {
            threads.start();
            timers.start();
        } catch (Exception e) {
            throw new IllegalStateException("The upstream threads did not start", e);
        }
    }

    /**
     * POSTs to {@code uri}: {@code fill} adds the headers and body to the request; {@code subscriberFor}
     * gets the answer's head and returns the subscriber of its body; {@code failed} hears of a failure
     * before the head. Without a head within {@code headerTimeout} the exchange fails with a
     * {@link java.net.http.HttpTimeoutException}. The request is sent once (see {@link UpstreamCall}).
     */
    public void post(URI uri, Duration connectTimeout, Consumer<Request> fill, Duration headerTimeout,
            Function<UpstreamCall.Head, Flow.Subscriber<List<ByteBuffer>>> subscriberFor, Consumer<Throwable> failed) {
        Request request = client(connectTimeout).newRequest(uri).method(HttpMethod.POST);
        fill.accept(request);
        UpstreamCall.send(request, headerTimeouts, headerTimeout, subscriberFor, failed);
    }

    HttpClient client(Duration connectTimeout) {
        return clients.computeIfAbsent(connectTimeout, this::start);
    }

    private HttpClient start(Duration connectTimeout) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(SELECTORS);
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        HttpClient client = new HttpClient(transport);
        client.setExecutor(threads);
        client.setScheduler(timers);
        client.setConnectTimeout(Math.max(1, connectTimeout.toMillis()));
        client.setIdleTimeout(POOLED_IDLE.toMillis());
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        client.setMaxConnectionsPerDestination(MAX_CONNECTIONS);
        client.setMaxRequestsQueuedPerDestination(MAX_CONNECTIONS);
        // answers pass through as the provider encoded them; nothing is decompressed here
        client.getContentDecoderFactories().clear();
        // a cookie one caller's answer set (a provider's or its CDN's) is not sent with another caller's request
        client.setHttpCookieStore(new org.eclipse.jetty.http.HttpCookieStore.Empty());
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("The upstream HTTP client did not start", e);
        }
        return client;
    }

    @PreDestroy
    void close() {
        for (HttpClient client : clients.values()) {
            try {
                client.stop();
            } catch (Exception e) {
                LOG.log(Level.FINE, "Upstream HTTP client did not stop cleanly", e);
            }
        }
        try {
            headerTimeouts.destroy();
            timers.stop();
            threads.stop();
        } catch (Exception e) {
            LOG.log(Level.FINE, "Upstream threads did not stop cleanly", e);
        }
    }
}
