package io.tokenrouter.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokenrouter.api.GatewayException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Limits sign-in and setup attempts, each of which may cost a deliberately slow password hash: per client
 * IP {@value #PER_CLIENT_BURST} at once, then one every {@link #PER_CLIENT_REFILL}; on this node overall
 * {@value #OVERALL_BURST} at once, then {@value #OVERALL_PER_SECOND} a second, so guessing cannot saturate
 * the CPU. Per node by design: it protects the node's CPU, and brute force from one address is held to a
 * few guesses a minute on each node. A refused attempt is a 429 with {@code Retry-After}.
 */
@ApplicationScoped
public class SignInThrottle {

    static final int PER_CLIENT_BURST = 5;
    static final Duration PER_CLIENT_REFILL = Duration.ofSeconds(12);
    static final int OVERALL_BURST = 20;
    static final int OVERALL_PER_SECOND = 4;

    /** What time it is; tests move it. */
    Clock clock = Clock.systemUTC();

    private final Cache<String, Bucket> clients = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofHours(1)).build();
    private Bucket overall;

    /** Takes one attempt for {@code clientIp}, or throws the 429 that says when to try again. */
    public void attempt(String clientIp) {
        long now = TimeUnit.MILLISECONDS.toNanos(clock.millis());
        Bucket client = clients.get(clientIp == null ? "(unknown)" : clientIp,
                ip -> new Bucket(PER_CLIENT_BURST, PER_CLIENT_REFILL.toNanos(), now));
        long wait = client.take(now);
        if (wait > 0) {
            throw tooMany("Too many sign-in attempts from this address", wait);
        }
        wait = overall(now).take(now);
        if (wait > 0) {
            throw tooMany("Too many sign-in attempts on this server", wait);
        }
    }

    private synchronized Bucket overall(long now) {
        if (overall == null) {
            overall = new Bucket(OVERALL_BURST, 1_000_000_000L / OVERALL_PER_SECOND, now);
        }
        return overall;
    }

    private static GatewayException tooMany(String what, long waitNanos) {
        Duration retry = Duration.ofNanos(waitNanos);
        return new GatewayException(429, "invalid_request_error", "too_many_sign_in_attempts", null,
                what + "; try again in " + Math.max(1, retry.toSeconds()) + " s.", retry, null);
    }

    /** A token bucket: {@code capacity} attempts, one more every {@code refillNanos}. */
    static final class Bucket {
        private final int capacity;
        private final long refillNanos;
        private double tokens;
        private long updated;

        Bucket(int capacity, long refillNanos, long now) {
            this.capacity = capacity;
            this.refillNanos = refillNanos;
            this.tokens = capacity;
            this.updated = now;
        }

        /** Takes a token: 0 when taken, else the nanoseconds until one is there. */
        synchronized long take(long now) {
            tokens = Math.min(capacity, tokens + (double) Math.max(0, now - updated) / refillNanos);
            updated = Math.max(updated, now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) ((1 - tokens) * refillNanos);
        }
    }
}
