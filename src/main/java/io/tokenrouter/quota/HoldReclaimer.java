package io.tokenrouter.quota;

import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.NodeRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Gives back quota reservations that can no longer be settled, so a crash, a redeploy with requests in
 * flight or a failed settlement does not keep a limit reserved for good:
 * <ul>
 * <li>this node's holds older than {@link #ORPHAN_AGE} that no request of this node still owns (their
 * settlement failed) — checked by every node for itself;</li>
 * <li>holds of nodes whose heartbeat stopped more than {@link #NODE_TIMEOUT} ago — by one node of the
 * cluster at a time, under a job lease.</li>
 * </ul>
 * Each node refreshes its heartbeat every {@link #HEARTBEAT}, and flushes its quota allowances every
 * {@link #FLUSH}.
 */
@ApplicationScoped
public class HoldReclaimer {

    private static final Logger LOG = Logger.getLogger(HoldReclaimer.class.getName());
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    static final Duration ORPHAN_AGE = Duration.ofMinutes(1);
    /** How often this node writes its quota allowances' usage and gives back what they no longer need. */
    static final Duration FLUSH = Duration.ofSeconds(1);
    public static final Duration NODE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FORGET_NODES_AFTER = Duration.ofDays(1);
    private static final String JOB = "quota-reclaim";

    private final QuotaGate gate;
    private final NodeRegistry node;
    private final JobLocks locks;
    private final Scheduler scheduler;
    private final Clock clock;

    @Inject
    public HoldReclaimer(QuotaGate gate, NodeRegistry node, JobLocks locks, Scheduler scheduler) {
        this(gate, node, locks, scheduler, Clock.systemUTC());
    }

    HoldReclaimer(QuotaGate gate, NodeRegistry node, JobLocks locks, Scheduler scheduler, Clock clock) {
        this.gate = gate;
        this.node = node;
        this.locks = locks;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    protected HoldReclaimer() {
        this(null, null, null, null, null);
    }

    public void start() {
        node.heartbeat(clock.instant());
        scheduler.heartbeat(HEARTBEAT, "node heartbeat", () -> node.heartbeat(clock.instant()));
        scheduler.every(Duration.ofSeconds(30), JOB, this::reclaim);
        scheduler.every(FLUSH, "quota allowance flush", () -> gate.flushAllowances(false));
    }

    /** One sweep; returns how many holds were given back. */
    public int reclaim() {
        Instant now = clock.instant();
        int reclaimed = gate.reclaimOrphans(now.minus(ORPHAN_AGE));
        if (locks.tryAcquire(JOB, node.name() + " " + node.nodeId(), Duration.ofSeconds(25))) {
            reclaimed += gate.reclaimGoneNodes(now.minus(NODE_TIMEOUT));
            node.forgetGone(now.minus(FORGET_NODES_AFTER));
        }
        if (reclaimed > 0) {
            LOG.info("Gave back " + reclaimed + " quota reservations whose requests can no longer settle");
        }
        return reclaimed;
    }
}
