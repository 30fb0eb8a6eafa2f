package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaRepository.Amounts;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A block of requests, tokens and cost this node took from a set of quota rows with one conditional update
 * ({@link io.tokenrouter.store.QuotaRepository#takeBlock}), held in the database as one hold, and served
 * to requests from memory. The database keeps {@code used + reserved} exact up to this node's last flush:
 * {@link #flushPlan} says how far the hold shrinks ({@code available} + in flight; only in flight once
 * retired) and what to add to {@code used}; a retired allowance with nothing in flight deletes its hold.
 *
 * <p>Amounts per metric (indexed requests, tokens, cost): requests count requests; tokens and cost count
 * the reservations' upper bounds and then what was used. A metric the rows do not limit is never short.
 */
final class Allowance {

    private static final int METRICS = 3;

    final long holdId;
    final List<Long> quotaIds;
    final long takenAtNanos;
    /** The end of the earliest window of its rows (a minute's, an hour's, ...): it serves no request from then on. */
    private final Instant windowsEnd;
    private final boolean[] limits;
    /** Serialises flushes of this allowance (the writer's ticks, a refill, a reader asking for exact counters). */
    final ReentrantLock flushing = new ReentrantLock();

    /** What the database hold holds on each row, as of the last flush. */
    private final long[] held = new long[METRICS];
    /** Not yet handed to a request (may go below zero when requests used more than they reserved). */
    private final long[] available = new long[METRICS];
    private final long[] inFlight = new long[METRICS];
    /** Used by finished requests since the last flush. */
    private final long[] used = new long[METRICS];
    private boolean retired;

    Allowance(long holdId, List<Long> quotaIds, Amounts held, boolean limitsRequests, boolean limitsTokens,
              boolean limitsCost, Instant windowsEnd, long takenAtNanos) {
        this.holdId = holdId;
        this.quotaIds = quotaIds;
        this.windowsEnd = windowsEnd;
        this.limits = new boolean[] {limitsRequests, limitsTokens, limitsCost};
        this.takenAtNanos = takenAtNanos;
        copy(held, this.held);
        copy(held, this.available);
    }

    /**
     * Serves one request of {@code ask} from the block at {@code now}; false when retired, short, or past the end
     * of a window it was taken in (a request in the next minute counts in that minute's row, from a new block).
     */
    synchronized boolean take(Amounts ask, Instant now) {
        long[] wanted = array(ask);
        if (retired || (windowsEnd != null && !now.isBefore(windowsEnd))) {
            return false;
        }
        for (int m = 0; m < METRICS; m++) {
            if (limits[m] && available[m] < wanted[m]) {
                return false;
            }
        }
        for (int m = 0; m < METRICS; m++) {
            available[m] -= wanted[m];
            inFlight[m] += wanted[m];
        }
        return true;
    }

    /**
     * A request served from this block finished: its reservation {@code reserved} is replaced by
     * {@code usedNow} (a request counts if it reached the provider).
     */
    synchronized void settle(Amounts reserved, Amounts usedNow) {
        long[] r = array(reserved);
        long[] u = array(usedNow.atLeastZero());
        for (int m = 0; m < METRICS; m++) {
            inFlight[m] -= r[m];
            used[m] += u[m];
            if (!retired) {
                available[m] += r[m] - u[m];
            }
        }
    }

    /** No more requests are served from it; what is available goes back at the next flush. */
    synchronized void retire() {
        retired = true;
        Arrays.fill(available, 0);
    }

    /**
     * Serves again after {@link #retire} when its hold could not go back (the database is unreachable): what the
     * hold still covers beyond the requests in flight and the usage not yet written is available again, so it
     * never serves more than its hold. Answers whether it can serve at all (not past its windows' end).
     */
    synchronized boolean revive(Instant now) {
        if (windowsEnd != null && !now.isBefore(windowsEnd)) {
            return false;
        }
        if (retired) {
            for (int m = 0; m < METRICS; m++) {
                available[m] = Math.max(0, held[m] - inFlight[m] - used[m]);
            }
            retired = false;
        }
        return true;
    }

    synchronized boolean retired() {
        return retired;
    }

    /** What a flush would write now, or null when the database is already up to date. */
    synchronized Flush flushPlan() {
        long[] keep = new long[METRICS];
        boolean changed = false;
        for (int m = 0; m < METRICS; m++) {
            keep[m] = Math.max(0, available[m]) + inFlight[m];
            changed |= keep[m] != held[m] || used[m] != 0;
        }
        return changed ? new Flush(amounts(held), amounts(keep), amounts(used)) : null;
    }

    /** The flush was committed: the hold now holds {@code keep}, and its usage is counted. */
    synchronized void flushed(Flush flush) {
        copy(flush.keep(), held);
        long[] counted = array(flush.used());
        for (int m = 0; m < METRICS; m++) {
            used[m] -= counted[m];
        }
    }

    /** Retired, nothing in flight, and nothing held any more: done with. */
    synchronized boolean finished() {
        if (!retired) {
            return false;
        }
        for (int m = 0; m < METRICS; m++) {
            if (inFlight[m] != 0 || held[m] != 0 || used[m] != 0) {
                return false;
            }
        }
        return true;
    }

    private static long[] array(Amounts a) {
        return new long[] {a.requests(), a.tokens(), a.cost()};
    }

    private static Amounts amounts(long[] a) {
        return new Amounts(a[0], a[1], a[2]);
    }

    private static void copy(Amounts from, long[] to) {
        to[0] = from.requests();
        to[1] = from.tokens();
        to[2] = from.cost();
    }

    record Flush(Amounts held, Amounts keep, Amounts used) {
    }
}
