package io.tokenrouter.quota;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import io.tokenrouter.store.NodeRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Enforces quotas around one proxied request. {@link #reserve} takes, atomically in the database, one
 * request and the token estimate (prompt + maximum completion) on every applicable limit of the key,
 * its ancestors and its team, or refuses with 429 naming the limit and when it resets.
 * {@link #settle} replaces the reservation with what was actually used. Because the check and the
 * reservation are one conditional update per row, concurrent requests on any node can overspend a
 * token limit only by what they used beyond their own reservation, and never a request limit.
 */
@ApplicationScoped
public class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class.getName());

    /** No request reserves more (2^52), so the database's sums stay far from overflowing; any limit refuses it. */
    static final long MAX_TOKENS = 1L << 52;

    private final QuotaRepository quotas;
    private final NodeRegistry node;
    /** Holds of this node's requests in flight; a hold of this node not in here has leaked. */
    private final Set<Long> live = ConcurrentHashMap.newKeySet();
    private Clock clock = Clock.systemUTC();

    @Inject
    public QuotaGate(QuotaRepository quotas, NodeRegistry node) {
        this.quotas = quotas;
        this.node = node;
    }

    protected QuotaGate() {
        this(null, null);
    }

    /**
     * Reserves one request and {@code tokens} (at least 1) on every limit of the subject, or throws the
     * 429 of the limit that refused.
     */
    public Reservation reserve(QuotaSubject subject, long tokens) {
        tokens = Math.min(tokens, MAX_TOKENS); // an amount below 1 is refused by the repository
        Instant now = clock.instant();
        long holdId = newHoldId();
        live.add(holdId);
        boolean held = false;
        try {
            if (!subject.quotaIds().isEmpty() && quotas.reserveFast(new QuotaRepository.Hold(holdId, subject.quotaIds(),
                    tokens), node.nodeId(), now, Period.DAY.windowStart(now), Period.WEEK.windowStart(now),
                    Period.MONTH.windowStart(now))) {
                held = true;
                return new Reservation(holdId, subject.quotaIds(), tokens);
            }
            QuotaRepository.ReserveOutcome outcome = quotas.reserveAll(holdId, node.nodeId(), subject.keyChain(),
                    subject.teamId(), tokens, row -> Period.parse(row.getPeriod()).windowStart(now), now);
            if (!outcome.accepted()) {
                throw refusal(subject, outcome.refusedBy(), tokens, now);
            }
            held = !outcome.hold().quotaIds().isEmpty();
            return held ? new Reservation(holdId, outcome.hold().quotaIds(), tokens) : Reservation.NONE;
        } finally {
            if (!held) {
                live.remove(holdId);
            }
        }
    }

    /**
     * Settles a reservation: requests count one if the request reached the provider, tokens count what
     * was used. Never throws: a failure is logged, and this node reclaims the hold within
     * {@link HoldReclaimer#ORPHAN_AGE} plus a sweep.
     */
    public void settle(Reservation reservation, boolean reachedProvider, long tokensUsed) {
        if (reservation.isEmpty()) {
            return;
        }
        try {
            quotas.settle(reservation.hold(), reachedProvider ? 1 : 0, tokensUsed);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Could not settle quota hold " + reservation.holdId() + " on " + reservation.quotaIds()
                    + " (" + tokensUsed + " tokens used); the reservation is given back when this node next reclaims"
                    + " leaked holds, and the usage is missing from these counters (it is in the request log)", e);
        } finally {
            live.remove(reservation.holdId());
        }
    }

    /** Gives back this node's holds older than {@code before} that no request in flight owns any more. */
    int reclaimOrphans(Instant before) {
        int reclaimed = 0;
        for (Long hold : quotas.findHoldsOfNode(node.nodeId(), before, 1000)) {
            if (!live.contains(hold) && quotas.reclaim(hold)) {
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /** Gives back the holds of nodes whose heartbeat stopped before {@code aliveSince}. */
    int reclaimGoneNodes(Instant aliveSince) {
        int reclaimed = 0;
        for (Long hold : quotas.findHoldsOfGoneNodes(node.nodeId(), aliveSince, 1000)) {
            if (quotas.reclaim(hold)) {
                reclaimed++;
            }
        }
        return reclaimed;
    }

    private static long newHoldId() {
        return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    }

    private static GatewayException refusal(QuotaSubject subject, Quota row, long tokens, Instant now) {
        Metric metric = Metric.parse(row.getMetric());
        Period period = Period.parse(row.getPeriod());
        long needed = metric == Metric.REQUESTS ? 1 : tokens;
        String unit = metric == Metric.REQUESTS ? "requests" : "tokens";
        Instant resets = period.windowEnd(now);
        boolean rolledOver = row.getWindowStart() != null && period.windowStart(now) != null
                && row.getWindowStart().isBefore(period.windowStart(now));
        long used = rolledOver ? 0 : row.getUsed();
        String message = "The " + period.adjective() + " " + unit.substring(0, unit.length() - 1) + " quota of "
                + owner(subject, row) + " is exhausted: " + used + " of " + row.getLimit() + " " + unit + " used, "
                + row.getReserved() + " reserved by requests in flight, this request needs " + needed + ". "
                + (resets == null ? "It does not reset by itself; an administrator can reset it."
                : "It resets at " + resets + ".");
        GatewayException e = new GatewayException(429, metric == Metric.REQUESTS ? "requests" : "tokens",
                resets == null ? "insufficient_quota" : "rate_limit_exceeded", null, message,
                resets == null ? null : Duration.between(now, resets), null);
        String suffix = metric == Metric.REQUESTS ? "requests" : "tokens";
        e.withHeader("x-ratelimit-limit-" + suffix, Long.toString(row.getLimit()));
        e.withHeader("x-ratelimit-remaining-" + suffix,
                Long.toString(Math.max(0, row.getLimit() - used - row.getReserved())));
        if (resets != null) {
            e.withHeader("x-ratelimit-reset-" + suffix, Duration.between(now, resets).toSeconds() + "s");
        }
        return e;
    }

    static String owner(QuotaSubject subject, Quota row) {
        if (Quota.OWNER_TEAM.equals(row.getOwnerType())) {
            return "team '" + subject.teamName() + "'";
        }
        String name = subject.keyNames().getOrDefault(row.getOwnerId(), "#" + row.getOwnerId());
        return row.getOwnerId().equals(subject.keyChain().get(0)) ? "key '" + name + "'" : "parent key '" + name + "'";
    }

    /** For tests of period roll-over. */
    public void useClock(Clock clock) {
        this.clock = clock;
    }

}
