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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Enforces quotas around one proxied request. {@link #reserve} takes one request and the token estimate
 * (prompt + maximum completion) on every applicable limit of the key, its ancestors and its team, or
 * refuses with 429 naming the limit and when it resets; {@link #settle} replaces the reservation with
 * what was actually used.
 *
 * <p>Without a database round trip per request: this node takes an {@link Allowance} from the rows'
 * counters (a block of requests and tokens, one conditional update in the database) and serves requests
 * from it in memory; every second it writes what was used and gives back what was not. Blocks are
 * {@code 1/8} of what is left, so they shrink to one request near a limit. Because every block is taken
 * by a conditional update under the rows' locks, the nodes together can overspend a token limit only by
 * what requests used beyond their own estimate, and never a request limit. The price is that a node may
 * refuse a request while another node's allowance holds the rest of a limit unused: at most 1/8 of the
 * headroom per allowance, for at most about two seconds (its age plus a flush).
 */
@ApplicationScoped
public class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class.getName());

    /** No request reserves more (2^52), so the database's sums stay far from overflowing; any limit refuses it. */
    static final long MAX_TOKENS = 1L << 52;

    private final QuotaRepository quotas;
    private final NodeRegistry node;
    /**
     * An allowance takes {@code 1/BLOCK_FRACTION} of the smallest headroom of its rows: near a limit that
     * is one request at a time, as without allowances; with plenty left, up to {@link #BLOCK_MAX_REQUESTS}.
     */
    static final int BLOCK_FRACTION = 8;
    static final long BLOCK_MAX_REQUESTS = 1000;
    /** How long an allowance serves requests before its unused part goes back (at the next flush after). */
    static final Duration ALLOWANCE_AGE = Duration.ofSeconds(1);

    /** Holds of this node's requests and allowances in use; a hold of this node not in here has leaked. */
    private final Set<Long> live = ConcurrentHashMap.newKeySet();
    /** The allowance serving each set of quota rows (a key's chain and team), if any. */
    private final ConcurrentMap<List<Long>, Slot> slots = new ConcurrentHashMap<>();
    /** Every allowance whose hold is not settled yet, serving or retired. */
    private final Set<Allowance> allowances = ConcurrentHashMap.newKeySet();
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
        List<Long> ids = subject.quotaIds();
        if (!ids.isEmpty() && tokens >= 1) {
            Slot slot = slots.computeIfAbsent(ids, k -> new Slot());
            Allowance current = slot.current;
            if (current != null && current.take(tokens)) {
                return new Reservation(current.holdId, ids, tokens, current);
            }
            Reservation served = refill(slot, ids, tokens);
            if (served != null) {
                return served;
            }
        }
        Instant now = clock.instant();
        long holdId = newHoldId();
        live.add(holdId);
        boolean held = false;
        try {
            QuotaRepository.ReserveOutcome outcome = quotas.reserveAll(holdId, node.nodeId(), subject.keyChain(),
                    subject.teamId(), tokens, row -> Period.parse(row.getPeriod()).windowStart(now), now);
            if (!outcome.accepted() && retireSharing(outcome.refusedBy().getId())) {
                // this node's own allowances for other keys held part of that limit: they went back, try again
                outcome = quotas.reserveAll(holdId, node.nodeId(), subject.keyChain(), subject.teamId(), tokens,
                        row -> Period.parse(row.getPeriod()).windowStart(now), now);
            }
            if (!outcome.accepted()) {
                throw refusal(subject, outcome.refusedBy(), tokens, now);
            }
            held = !outcome.hold().quotaIds().isEmpty();
            return held ? new Reservation(holdId, outcome.hold().quotaIds(), tokens, null) : Reservation.NONE;
        } finally {
            if (!held) {
                live.remove(holdId);
            }
        }
    }

    /**
     * The slot's allowance could not serve the request: one caller at a time retires it (its unused part
     * goes back to the database first, so this node never refuses itself), takes a new block and serves
     * the request from it. Null when no block of even this one request fits; the slow path then finds
     * the limit that refuses, or a row the key's cached list does not know yet.
     */
    private Reservation refill(Slot slot, List<Long> ids, long tokens) {
        synchronized (slot) {
            Allowance current = slot.current;
            if (current != null && current.take(tokens)) {
                return new Reservation(current.holdId, ids, tokens, current);
            }
            if (current != null) {
                slot.current = null;
                current.retire();
                flush(current);
            }
            Instant now = clock.instant();
            long holdId = newHoldId();
            live.add(holdId);
            QuotaRepository.Block block;
            try {
                block = quotas.takeBlock(holdId, node.nodeId(), ids, tokens, BLOCK_FRACTION, BLOCK_MAX_REQUESTS, now,
                        Period.DAY.windowStart(now), Period.WEEK.windowStart(now), Period.MONTH.windowStart(now));
            } catch (RuntimeException e) {
                live.remove(holdId);
                throw e;
            }
            if (block == null) {
                live.remove(holdId);
                return null;
            }
            Allowance fresh = new Allowance(holdId, ids, block.held(), block.limitsRequests(), block.limitsTokens(),
                    System.nanoTime());
            allowances.add(fresh);
            boolean served = fresh.take(tokens);
            slot.current = fresh;
            return served ? new Reservation(holdId, ids, tokens, fresh) : null;
        }
    }

    /**
     * Settles a reservation: requests count one if the request reached the provider, tokens count what
     * was used. Served from an allowance, this is bookkeeping in memory, written with the allowance's next
     * flush; a hold of its own is settled in the database. Never throws: a failure is logged, and this
     * node reclaims the hold within {@link HoldReclaimer#ORPHAN_AGE} plus a sweep.
     */
    public void settle(Reservation reservation, boolean reachedProvider, long tokensUsed) {
        if (reservation.isEmpty()) {
            return;
        }
        if (reservation.allowance != null) {
            reservation.allowance.settle(reservation.tokens(), reachedProvider, tokensUsed);
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

    /**
     * Writes every allowance's usage to the database and shrinks its hold to what it still serves;
     * allowances older than {@link #ALLOWANCE_AGE} (or all, with {@code retireAll}) are retired first, so
     * their unused part goes back. Run every second by {@link HoldReclaimer}, and with {@code retireAll}
     * before this node reads counters for display and when it stops, so what it shows is exact.
     */
    public void flushAllowances(boolean retireAll) {
        long now = System.nanoTime();
        for (Allowance allowance : allowances) {
            if (retireAll || now - allowance.takenAtNanos >= ALLOWANCE_AGE.toNanos()) {
                allowance.retire();
            }
        }
        for (Map.Entry<List<Long>, Slot> entry : slots.entrySet()) {
            Slot slot = entry.getValue();
            synchronized (slot) {
                if (slot.current == null || slot.current.retired()) {
                    slot.current = null;
                    slots.remove(entry.getKey(), slot);
                }
            }
        }
        for (Allowance allowance : allowances) {
            flush(allowance);
        }
    }

    /** Retires and flushes this node's allowances on the quota row {@code quotaId}; true if there were any. */
    private boolean retireSharing(long quotaId) {
        boolean any = false;
        for (Allowance allowance : allowances) {
            if (allowance.quotaIds.contains(quotaId) && !allowance.retired()) {
                allowance.retire();
                flush(allowance);
                any = true;
            }
        }
        return any;
    }

    /** Gives back every allowance's unused part when the application stops. */
    @jakarta.annotation.PreDestroy
    void stop() {
        flushAllowances(true);
    }

    private void flush(Allowance allowance) {
        allowance.flushing.lock();
        try {
            Allowance.Flush plan = allowance.flushPlan();
            if (plan != null) {
                quotas.resize(allowance.holdId, allowance.quotaIds, plan.held(), plan.keep(), plan.used());
                allowance.flushed(plan);
            }
            if (allowance.finished()) {
                allowances.remove(allowance);
                live.remove(allowance.holdId);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not write quota allowance " + allowance.holdId + " on " + allowance.quotaIds
                    + "; tried again with the next flush", e);
        } finally {
            allowance.flushing.unlock();
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

    private static final class Slot {
        /** Serves requests; replaced under the slot's lock. */
        volatile Allowance current;
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
        long left = Math.max(0, row.getLimit() - used - row.getReserved());
        String quota = "The " + period.adjective() + " " + unit.substring(0, unit.length() - 1) + " quota of " + owner(subject, row);
        String state = used + " of " + row.getLimit() + " " + unit + " used, " + row.getReserved()
                + " reserved by requests in flight and gateway nodes' allowances";
        String message = (left > 0 && metric == Metric.TOKENS
                ? quota + " has " + left + " tokens left (" + state + "), and this request may use up to " + needed
                + " (its prompt and its max_tokens, or default_max_tokens when it sets none). Set max_tokens"
                + " (max_completion_tokens, max_output_tokens) lower, or ask for a larger quota. "
                : quota + " is exhausted: " + state + ", this request needs " + needed + ". ")
                + (resets == null ? "It does not reset by itself; an administrator can reset it."
                : "It resets at " + resets + ".");
        GatewayException e = new GatewayException(429, metric == Metric.REQUESTS ? "requests" : "tokens",
                resets == null ? "insufficient_quota" : "rate_limit_exceeded", null, message,
                resets == null ? null : Duration.between(now, resets), null);
        String suffix = metric == Metric.REQUESTS ? "requests" : "tokens";
        e.withHeader("x-ratelimit-limit-" + suffix, Long.toString(row.getLimit()));
        e.withHeader("x-ratelimit-remaining-" + suffix, Long.toString(left));
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
