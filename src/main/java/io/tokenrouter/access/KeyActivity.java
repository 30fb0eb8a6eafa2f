package io.tokenrouter.access;

import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.ApiKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each key's {@code last_used_at} current to the minute without a database write per request:
 * a key's first use in a minute on this node schedules one background update.
 */
@ApplicationScoped
public class KeyActivity {

    private static final long MINUTE_MILLIS = 60_000L;
    private static final int MAX_TRACKED = 100_000;

    @Inject
    ApiKeyRepository keys;
    @Inject
    Scheduler scheduler;

    /** What time it is; tests move it. */
    Clock clock = Clock.systemUTC();
    private final ConcurrentHashMap<Long, Long> lastWritten = new ConcurrentHashMap<>();

    public void used(long keyId) {
        long now = clock.millis();
        Long previous = lastWritten.get(keyId);
        if (previous != null && now - previous < MINUTE_MILLIS && now >= previous) {
            return;
        }
        if (lastWritten.size() >= MAX_TRACKED) {
            lastWritten.clear();
        }
        if (previous == null ? lastWritten.putIfAbsent(keyId, now) == null : lastWritten.replace(keyId, previous, now)) {
            Instant at = Instant.ofEpochMilli(now);
            scheduler.later("key last use", () -> keys.touch(keyId, at));
        }
    }
}
