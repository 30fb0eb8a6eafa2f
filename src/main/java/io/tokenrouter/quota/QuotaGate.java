package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaWindow;
import io.tokenrouter.store.Period;
import io.tokenrouter.store.Metric;
import io.tokenrouter.store.DatabaseUnavailableException;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.QuotaRepository.Amounts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Enforces quotas around one proxied request. {@link #reserve} takes one request, the most tokens the
 * request can cost and its most cost in money on every limit of the key, its ancestors and its team that
 * applies to the request's model, or refuses with 429 naming the limit and when it resets; {@link #settle}
 * replaces the reservation with what was actually used, never more than was reserved.
 *
 * <p>Without a database round trip per request: this node takes an {@link Allowance} from the rows'
 * counters (a block of requests, tokens and cost, one conditional update in the database) and serves requests
 * from it in memory; every second it writes what was used and gives back what was not. Blocks are
 * {@code 1/8} of what is left, so they shrink to one request near a limit. Because every block is taken
 * by a conditional update under the rows' locks and settled at most at what was reserved, the nodes
 * together never spend beyond a limit. The price is that a node may
 * refuse a request while another node's allowance holds the rest of a limit unused: at most 1/8 of the
 * headroom per allowance, for at most about two seconds (its age plus a flush).
 */
@ApplicationScoped
public class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class.getName());

    /** No request reserves more (2^52), so the database's sums stay far from overflowing; any limit refuses it. */
    static final long MAX_TOKENS = 1L << 52;
    /** Nor more cost (in millionths of a dollar: $4.5 billion). */
    static final long MAX_COST = 1L << 52;

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

    /** {@link #reserve(QuotaSubject, Amounts)} of one request and {@code tokens}, without cost. */
    public Reservation reserve(QuotaSubject subject, long tokens) {
        return reserve(subject, new Amounts(1, tokens, 0));
    }

    /**
     * Reserves one request, {@code ask.tokens()} (at least 1) and {@code ask.cost()} on every limit of the
     * subject that applies to the request's model, or throws the 429 of the limit that refused.
     */
    public Reservation reserve(QuotaSubject subject, Amounts ask) {
        return reserve(subject, ask, null);
    }

    /**
     * {@link #reserve(QuotaSubject, Amounts)}, and when a token or cost limit refuses {@code ask}, once more with
     * what {@code tighter} gives (a bound that took more work to compute; null: none tighter). A refusal is noted
     * for the budget alerts only when no ask fits.
     */
    public Reservation reserve(QuotaSubject subject, Amounts ask, Supplier<Amounts> tighter) {
        Amounts bounded = new Amounts(1, Math.min(ask.tokens(), MAX_TOKENS), Math.min(Math.max(0, ask.cost()), MAX_COST));
        List<Long> ids = subject.quotaIds();
        Instant now = clock.instant();
        if (!ids.isEmpty() && bounded.tokens() >= 1) {
            Slot slot = slots.computeIfAbsent(ids, k -> new Slot());
            Allowance current = slot.current;
            if (current != null && current.take(bounded, now)) {
                return new Reservation(current.holdId, ids, bounded, current);
            }
            Reservation served = refill(slot, subject, ids, bounded, now);
            if (served != null) {
                return served;
            }
        }
        long holdId = newHoldId();
        live.add(holdId);
        boolean held = false;
        try {
            QuotaRepository.ReserveOutcome outcome = reserveAll(holdId, subject, bounded, now);
            if (!outcome.accepted() && retireSharing(outcome.refusedBy().getId())) {
                // this node's own allowances for other keys held part of that limit: they went back, try again
                outcome = reserveAll(holdId, subject, bounded, now);
            }
            if (!outcome.accepted() && tighter != null && outcome.refusedBy().getMetric() != Metric.REQUESTS) {
                Amounts smaller = tighter.get();
                if (smaller != null) {
                    return reserve(subject, smaller, null);
                }
            }
            if (!outcome.accepted()) {
                noteRefusal(outcome.refusedBy(), now);
                throw QuotaRefusal.of(subject, outcome.refusedBy(), bounded, now);
            }
            held = !outcome.hold().quotaIds().isEmpty();
            return held ? new Reservation(holdId, outcome.hold().quotaIds(), bounded, null) : Reservation.NONE;
        } catch (DatabaseUnavailableException e) {
            throw QuotaRefusal.unavailable(e);
        } finally {
            if (!held) {
                live.remove(holdId);
            }
        }
    }

    private QuotaRepository.ReserveOutcome reserveAll(long holdId, QuotaSubject subject, Amounts ask, Instant now) {
        return quotas.reserveAll(holdId, node.nodeId(), subject.keyChain(), subject.teamId(), ask,
                row -> subject.applies(row.getId(), row.getModel()), row -> row.getPeriod().windowStart(now), now);
    }

    /**
     * The slot's allowance could not serve the request: one caller at a time retires it (its unused part
     * goes back to the database first, so this node never refuses itself), takes a new block and serves
     * the request from it. Null when no block of even this one request fits; the slow path then finds
     * the limit that refuses, or a row the key's cached list does not know yet.
     */
    private Reservation refill(Slot slot, QuotaSubject subject, List<Long> ids, Amounts ask, Instant now) {
        synchronized (slot) {
            Allowance current = slot.current;
            if (current != null && current.take(ask, now)) {
                return new Reservation(current.holdId, ids, ask, current);
            }
            if (current != null) {
                slot.current = null;
                current.retire();
                flush(current);
            }
            long holdId = newHoldId();
            live.add(holdId);
            QuotaRepository.Block block;
            try {
                block = quotas.takeBlock(holdId, node.nodeId(), ids, ask, BLOCK_FRACTION, BLOCK_MAX_REQUESTS, now,
                        windows(now));
            } catch (DatabaseUnavailableException e) {
                live.remove(holdId);
                Reservation kept = reviveFor(slot, ids, ask, now);
                if (kept == null) {
                    kept = onCredit(slot, subject, ids, ask, now);
                }
                if (kept != null) {
                    return kept;
                }
                throw QuotaRefusal.unavailable(e);
            } catch (RuntimeException e) {
                live.remove(holdId);
                throw e;
            }
            if (block == null) {
                live.remove(holdId);
                return null;
            }
            if (!creditLeft.isEmpty()) {
                synchronized (creditLeft) {
                    creditLeft.clear(); // the database is back: the next outage has its own credit
                }
            }
            Allowance fresh = new Allowance(holdId, ids, block.held(), block.limitsRequests(), block.limitsTokens(),
                    block.limitsCost(), windowsEnd(block.periods(), now), System.nanoTime());
            // served before a flush can see it: one that retired it first would leave this request refused by the
            // very block it took for it
            boolean served = fresh.take(ask, now);
            allowances.add(fresh);
            slot.current = fresh;
            return served ? new Reservation(holdId, ids, ask, fresh) : null;
        }
    }

    /**
     * The database is unreachable and no new block can be taken: an allowance of the same rows that was retired
     * but could not give its hold back serves again, within that hold. Null when none can serve the request.
     */
    private Reservation reviveFor(Slot slot, List<Long> ids, Amounts ask, Instant now) {
        for (Allowance allowance : allowances) {
            // not while a flush is between its plan and its commit: the plan may be giving the hold back
            if (!allowance.quotaIds.equals(ids) || !allowance.flushing.tryLock()) {
                continue;
            }
            try {
                if (allowance.revive(now) && allowance.take(ask, now)) {
                    slot.current = allowance;
                    slots.put(ids, slot);
                    return new Reservation(allowance.holdId, ids, ask, allowance);
                }
            } finally {
                allowance.flushing.unlock();
            }
        }
        return null;
    }

    /**
     * The database is unreachable, no allowance of these rows can serve, and every one of them has an outage
     * credit: a block of what is left of those credits on this node (for this outage) serves, held nowhere but
     * here. Its usage is written to the rows once the database is back, like any allowance's, so the overspend
     * is counted; it is at most each row's credit per node and outage. Null when a row has no credit left.
     */
    private Reservation onCredit(Slot slot, QuotaSubject subject, List<Long> ids, Amounts ask, Instant now) {
        Map<Long, QuotaSubject.OutageCredit> credits = new java.util.HashMap<>();
        for (QuotaSubject.OutageCredit c : subject.outageCredits()) {
            credits.put(c.quotaId(), c);
        }
        long[] block = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        boolean[] limited = new boolean[3];
        Set<Period> periods = java.util.EnumSet.noneOf(Period.class);
        synchronized (creditLeft) {
            for (long id : ids) {
                QuotaSubject.OutageCredit credit = credits.get(id);
                if (credit == null) {
                    return null;
                }
                int m = credit.metric().ordinal();
                limited[m] = true;
                block[m] = Math.min(block[m], creditLeft.computeIfAbsent(id, k -> credit.amount()));
                periods.add(credit.period());
            }
            long[] wanted = {ask.requests(), ask.tokens(), ask.cost()};
            for (int m = 0; m < 3; m++) {
                if (limited[m] && block[m] < wanted[m]) {
                    return null;
                }
                // a share of what is left, as blocks are, so that other keys of a team's row get some too
                block[m] = limited[m] ? Math.min(block[m], Math.max(wanted[m], block[m] / BLOCK_FRACTION)) : 0;
            }
            for (long id : ids) {
                creditLeft.merge(id, -block[credits.get(id).metric().ordinal()], Long::sum);
            }
        }
        Allowance onCredit = new Allowance(newHoldId(), ids, new Amounts(block[0], block[1], block[2]), limited[0],
                limited[1], limited[2], windowsEnd(periods, now), System.nanoTime());
        if (!onCredit.take(ask, now)) {
            return null;
        }
        LOG.warning("The database is unreachable and the allowance of quota rows " + ids + " is used up: serving "
                + subject.keyNames().getOrDefault(subject.keyChain().get(0), "the key") + " on its outage credit ("
                + new Amounts(block[0], block[1], block[2]) + "), counted once the database is back");
        live.add(onCredit.holdId);
        allowances.add(onCredit);
        slot.current = onCredit;
        slots.put(ids, slot);
        return new Reservation(onCredit.holdId, ids, ask, onCredit);
    }

    /** What is left of each quota row's outage credit on this node in the current outage. */
    private final Map<Long, Long> creditLeft = new ConcurrentHashMap<>();

    /**
     * A budget with less than a tenth left refused a request: noted once per window, for its 100 % alert (what is
     * spent never reaches 100 %, as every request reserves its upper bound). A large request refused by a budget
     * with more left is only that request's refusal.
     */
    private void noteRefusal(Quota row, Instant now) {
        if (row.getMetric() != Metric.COST) {
            return;
        }
        Instant window = row.getPeriod().windowStart(now);
        long used = QuotaWindow.usedNow(row, now);
        if (used >= row.getLimit() - row.getLimit() / 10) {
            try {
                quotas.markRefused(row, window, now);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Could not note the refusal of budget " + row.getId(), e);
            }
        }
    }

    /** The earliest end of the windows of {@code periods} that {@code now} falls in; null when all are totals. */
    static Instant windowsEnd(Set<Period> periods, Instant now) {
        Instant earliest = null;
        for (Period period : periods) {
            Instant end = period.windowEnd(now);
            if (end != null && (earliest == null || end.isBefore(earliest))) {
                earliest = end;
            }
        }
        return earliest;
    }

    /** The start of every periodic window {@code now} falls in. */
    static QuotaRepository.Windows windows(Instant now) {
        return QuotaRepository.Windows.at(now);
    }

    /**
     * Settles a reservation: requests count one if the request reached the provider, tokens and cost count
     * what was used, at most what was reserved (the reservation is the request's upper bound, so a limit is
     * never exceeded; what a provider reports beyond it is its fault, recorded in the request log). Served from an allowance, this is bookkeeping in memory, written with the allowance's next
     * flush; a hold of its own is settled in the database. Never throws: a failure is logged, and this
     * node reclaims the hold within {@link HoldReclaimer#ORPHAN_AGE} plus a sweep.
     */
    public void settle(Reservation reservation, boolean reachedProvider, long tokensUsed) {
        settle(reservation, reachedProvider, new Amounts(0, tokensUsed, 0));
    }

    /**
     * {@link #settle(Reservation, boolean, long)} with what was used of each metric ({@code used.requests()} is
     * ignored: a request counts one when it reached the provider).
     */
    public void settle(Reservation reservation, boolean reachedProvider, Amounts used) {
        if (reservation.isEmpty()) {
            return;
        }
        Amounts reserved = reservation.amounts();
        Amounts charged = new Amounts(reachedProvider ? 1 : 0, Math.max(0, Math.min(used.tokens(), reserved.tokens())),
                Math.max(0, Math.min(used.cost(), reserved.cost())));
        if (reservation.allowance != null) {
            reservation.allowance.settle(reservation.amounts(), charged);
            return;
        }
        try {
            quotas.settle(reservation.hold(), charged);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Could not settle quota hold " + reservation.holdId() + " on " + reservation.quotaIds()
                    + " (" + charged + " used); the reservation is given back when this node next reclaims"
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
        // while the database is unreachable, allowances keep serving past their age: their holds are taken, and
        // nothing could take new ones; what they served is written once the database is back
        boolean ageOut = !quotas.unreachable();
        for (Allowance allowance : allowances) {
            if (retireAll || (ageOut && now - allowance.takenAtNanos >= ALLOWANCE_AGE.toNanos())) {
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

    /**
     * Retires and flushes this node's allowances on the quota row {@code quotaId}, those retired already but still
     * holding part of it too (a flush under way is waited for); true if there were any.
     */
    private boolean retireSharing(long quotaId) {
        boolean any = false;
        for (Allowance allowance : allowances) {
            if (allowance.quotaIds.contains(quotaId) && !allowance.finished()) {
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
        } catch (DatabaseUnavailableException e) {
            LOG.log(Level.FINE, "Quota allowance " + allowance.holdId + " waits for the database", e);
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

    /** For tests of period roll-over. */
    public void useClock(Clock clock) {
        this.clock = clock;
    }

}
