package io.tokenrouter.observe;

import io.tokenrouter.runtime.RuntimeSettings;
import io.tokenrouter.events.EventLog;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.ResponseOwnerRepository;
import jakarta.enterprise.context.ApplicationScoped;
import io.tokenrouter.runtime.Operations;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes what has outlived its retention: raw log rows ({@code log_retention}), per-minute aggregates
 * (a week), per-hour aggregates ({@code rollup_retention}), conversations and events. Runs every ten
 * minutes on the node holding the lease, deleting the request log in bounded batches so the table is
 * never locked for long.
 */
@ApplicationScoped
public class Retention {

    static final int BATCH = 5_000;
    static final Duration MINUTE_ROLLUPS = Duration.ofDays(7);
    static final Duration RESPONSE_OWNERS = Duration.ofDays(30);

    @Inject
    GatewaySettings settings;
    @Inject
    RequestLogRepository log;
    @Inject
    ConversationRepository conversations;
    @Inject
    EventRepository events;
    @Inject
    JobLocks locks;
    @Inject
    EventLog eventLog;
    @Inject
    Scheduler scheduler;
    @Inject
    RuntimeSettings runtimeSettings;
    @Inject
    ResponseOwnerRepository responseOwners;

    public void start() {
        scheduler.every(Duration.ofMinutes(10), "retention", this::runIfLeader);
    }

    void runIfLeader() {
        if (locks.tryAcquire("retention", ManagementFactory.getRuntimeMXBean().getName(), Duration.ofMinutes(9))) {
            run(Instant.now());
        }
    }

    /** Deletes everything older than its retention as of {@code now}; returns how many log rows went. */
    public long run(Instant now) {
        Operations ops = runtimeSettings.operations();
        long logRows = 0;
        for (int n = BATCH; n == BATCH; logRows += n) {
            n = log.deleteOlderThan(now.minus(ops.logRetention()), BATCH);
        }
        int rollups = log.deleteRollupsOlderThan(60, now.minus(MINUTE_ROLLUPS))
                + log.deleteRollupsOlderThan(3600, now.minus(settings.rollupRetention()));
        int conversationRows = conversations.deleteOlderThan(now.minus(ops.conversationRetention()));
        int eventRows = events.deleteOlderThan(now.minus(settings.eventRetention()));
        // providers keep stored responses for 30 days: their owners are kept at least as long
        responseOwners.deleteOlderThan(now.minus(max(ops.logRetention(), RESPONSE_OWNERS)));
        if (logRows + rollups + conversationRows + eventRows > 0) {
            eventLog.info("cleanup", "retention", "Retention removed " + logRows + " log rows, " + rollups
                    + " aggregates, " + conversationRows + " conversation turns, " + eventRows + " events");
        }
        return logRows;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
