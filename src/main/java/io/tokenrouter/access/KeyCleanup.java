package io.tokenrouter.access;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.JobLocks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * Removes temporary keys that expired more than {@code temporary_key_grace} ago or whose total quota
 * is used up, with everything beneath them. Runs every minute on whichever node holds the job's lease,
 * so a cluster cleans up once. Usage already recorded keeps the key's name.
 */
@ApplicationScoped
public class KeyCleanup {

    private static final Logger LOG = Logger.getLogger(KeyCleanup.class.getName());
    private static final String JOB = "key-cleanup";

    @Inject
    GatewaySettings settings;
    @Inject
    ApiKeyRepository keys;
    @Inject
    JobLocks locks;
    @Inject
    Scheduler scheduler;
    @Inject
    AuditTrail events;
    @Inject
    SessionService sessions;

    public void start() {
        scheduler.every(Duration.ofMinutes(1), JOB, this::runIfLeader);
    }

    void runIfLeader() {
        if (locks.tryAcquire(JOB, ManagementFactory.getRuntimeMXBean().getName(), Duration.ofSeconds(50))) {
            removeNow();
            sessions.removeEnded();
        }
    }

    /** Removes what is removable now; returns how many keys were deleted. */
    public int removeNow() {
        List<Long> removable = keys.findRemovableTemporary(Instant.now().minus(settings.temporaryKeyGrace()));
        int removed = 0;
        for (Long id : removable) {
            if (keys.find(id).isPresent()) {
                removed += keys.deleteTree(id);
            }
        }
        if (removed > 0) {
            LOG.info("Removed " + removed + " expired or depleted temporary keys");
            events.note("cleanup", "cleanup", false, "key-cleanup", null, "Removed " + removed + " expired or depleted temporary keys");
        }
        return removed;
    }
}
