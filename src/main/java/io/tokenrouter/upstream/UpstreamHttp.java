package io.tokenrouter.upstream;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpScheme;
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
    /**
     * How long after its last request a provider keeps a connection ready: when its last one closes (idle here, or
     * closed by the provider), one is opened again, so the next request does not wait for TCP and TLS.
     */
    static final Duration KEEP_WARM_FOR = Duration.ofMinutes(10);
    /** How often the connections of recently used providers are looked at. */
    static final Duration KEEP_WARM_EVERY = Duration.ofSeconds(15);

    private final QueuedThreadPool threads = new QueuedThreadPool(THREADS, 2);
    private final ScheduledExecutorScheduler timers = new ScheduledExecutorScheduler("upstream-timer", true);
    private final HeaderTimeouts headerTimeouts = new HeaderTimeouts(timers);
    private final ConcurrentMap<Duration, HttpClient> clients = new ConcurrentHashMap<>();
    /** When each provider address ({@code host:port} as its URL spells it) was last called, in nanoseconds. */
    private final ConcurrentMap<String, Long> lastCalled = new ConcurrentHashMap<>();
    /** The clock of {@link #lastCalled} (tests move it). */
    LongSupplier nanoTime = System::nanoTime;
    private volatile boolean stopped;

    @PostConstruct
    void init() {
        threads.setName("upstream");
        threads.setDaemon(true);
        try {
            threads.start();
            timers.start();
            timers.schedule(this::keepWarmAndAgain, KEEP_WARM_EVERY.toMillis(), TimeUnit.MILLISECONDS);
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
        called(uri);
        Request request = client(connectTimeout).newRequest(uri).method(HttpMethod.POST);
        fill.accept(request);
        UpstreamCall.send(request, headerTimeouts, headerTimeout, subscriberFor, failed);
    }

    /** Notes that {@code uri}'s provider was called now (at most once a second per address, to stay cheap). */
    private void called(URI uri) {
        String address = uri.getRawAuthority();
        if (address == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        Long last = lastCalled.get(address);
        if (last == null || now - last > 1_000_000_000L) {
            lastCalled.put(address, now);
        }
    }

    private void keepWarmAndAgain() {
        try {
            keepWarm();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Keeping provider connections ready failed; trying again later", e);
        }
        if (!stopped) {
            timers.schedule(this::keepWarmAndAgain, KEEP_WARM_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens one connection to each provider called in the last {@link #KEEP_WARM_FOR} that has none (open, idle or
     * being opened); answers how many it opens. Never more than one per provider, and none to a provider not called.
     */
    int keepWarm() {
        long now = nanoTime.getAsLong();
        lastCalled.values().removeIf(at -> now - at > KEEP_WARM_FOR.toNanos());
        int opened = 0;
        for (Destination destination : destinations()) {
            if (destination.getConnectionPool() instanceof AbstractConnectionPool pool
                    && pool.getConnectionCount() == 0 && recentlyCalled(destination.getOrigin())) {
                pool.preCreateConnections(1);
                opened++;
            }
        }
        return opened;
    }

    /** Every provider address any of the clients has called. */
    private List<Destination> destinations() {
        List<Destination> all = new ArrayList<>();
        for (HttpClient client : clients.values()) {
            all.addAll(client.getDestinations());
        }
        return all;
    }

    private boolean recentlyCalled(Origin origin) {
        String host = origin.getAddress().getHost();
        int port = origin.getAddress().getPort();
        boolean defaultPort = port == (HttpScheme.HTTPS.is(origin.getScheme()) ? 443 : 80);
        return lastCalled.containsKey(host + ":" + port) || (defaultPort && lastCalled.containsKey(host));
    }

    /** Connections to {@code uri}'s provider: open, idle or being opened (0 when there is none). */
    int connectionsTo(URI uri) {
        return pool(uri).map(AbstractConnectionPool::getConnectionCount).orElse(0);
    }

    /** How many connections to {@code uri}'s address are open and waiting for a request (not still connecting). */
    int idleConnectionsTo(URI uri) {
        return pool(uri).map(AbstractConnectionPool::getIdleConnectionCount).orElse(0);
    }

    private java.util.Optional<AbstractConnectionPool> pool(URI uri) {
        for (Destination destination : destinations()) {
            if (destination.getOrigin().getAddress().getHost().equals(uri.getHost())
                    && destination.getOrigin().getAddress().getPort() == uri.getPort()
                    && destination.getConnectionPool() instanceof AbstractConnectionPool pool) {
                return java.util.Optional.of(pool);
            }
        }
        return java.util.Optional.empty();
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
        stopped = true;
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
