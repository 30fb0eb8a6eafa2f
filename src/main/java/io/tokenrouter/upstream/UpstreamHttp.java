package io.tokenrouter.upstream;

import io.tokenrouter.config.DaemonThreads;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The long-lived JDK {@link HttpClient}s the gateway calls upstreams with: keep-alive pooled,
 * asynchronous (no thread waits for an upstream), HTTP/2 where the upstream offers it over TLS. One
 * client per distinct connect timeout, as the JDK sets that per client; all share one bounded executor.
 */
@ApplicationScoped
public class UpstreamHttp {

    private static final int THREADS = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());

    private final ExecutorService executor = Executors.newFixedThreadPool(THREADS, DaemonThreads.named("upstream"));
    private final ConcurrentMap<Duration, HttpClient> clients = new ConcurrentHashMap<>();

    public HttpClient client(Duration connectTimeout) {
        return clients.computeIfAbsent(connectTimeout, timeout -> HttpClient.newBuilder()
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build());
    }

    /** HTTP/2 over TLS (negotiated by ALPN); plain HTTP/1.1 in clear text, never an h2c upgrade attempt. */
    public static HttpClient.Version versionFor(java.net.URI uri) {
        return "https".equalsIgnoreCase(uri.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }
}
