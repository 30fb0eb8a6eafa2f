package io.tokenrouter.proxy;

import io.tokenrouter.config.Scheduler;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces each provider's idle-read timeout on answers being received: one sweep every 250 ms over
 * the open exchanges, instead of a timer per stream that would be re-armed on every event.
 */
@ApplicationScoped
public class StreamWatchdog {

    @Inject
    Scheduler scheduler;

    private final Map<Exchange, Runnable> watched = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        scheduler.tick(Duration.ofMillis(250), "idle-read watchdog", this::sweep);
    }

    public void watch(Exchange exchange, Runnable onIdle) {
        exchange.touch();
        watched.put(exchange, onIdle);
    }

    public void forget(Exchange exchange) {
        watched.remove(exchange);
    }

    /** Forgets the exchange only if {@code onIdle} is still what it is watched with (not a later attempt's). */
    public void forget(Exchange exchange, Runnable onIdle) {
        watched.remove(exchange, onIdle);
    }

    public int openStreams() {
        return watched.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        watched.forEach((exchange, onIdle) -> {
            if (now - exchange.lastActivityNanos > exchange.route().provider().readTimeout().toNanos()) {
                watched.remove(exchange);
                onIdle.run();
            }
        });
    }
}
