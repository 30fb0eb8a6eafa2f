package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaRepository.Amounts;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A block of requests and tokens this node took from a set of quota rows with one conditional update
 * ({@link io.tokenrouter.store.QuotaRepository#takeBlock}), held in the database as one hold, and served
 * to requests from memory. The database keeps {@code used + reserved} exact up to this node's last flush:
 * {@link #flushPlan} says how far the hold shrinks ({@code available} + in flight; only in flight once
 * retired) and what to add to {@code used}; a retired allowance with nothing in flight deletes its hold.
 *
 * <p>Amounts per metric: {@code requests} counts requests, {@code tokens} the reservations' token estimates
 * and then the tokens used. A metric the rows do not limit is never short.
 */
final class Allowance {

    final long holdId;
    final List<Long> quotaIds;
    final long takenAtNanos;
    private final boolean limitsRequests;
    private final boolean limitsTokens;
    /** Serialises flushes of this allowance (the writer's ticks, a refill, a reader asking for exact counters). */
    final ReentrantLock flushing = new ReentrantLock();

    /** What the database hold holds on each row, as of the last flush. */
    private long heldRequests;
    private long heldTokens;
    /** Not yet handed to a request (may go below zero when requests used more tokens than they reserved). */
    private long availableRequests;
    private long availableTokens;
    private long inFlightRequests;
    private long inFlightTokens;
    /** Used by finished requests since the last flush. */
    private long usedRequests;
    private long usedTokens;
    private boolean retired;

    Allowance(long holdId, List<Long> quotaIds, Amounts held, boolean limitsRequests, boolean limitsTokens,
              long takenAtNanos) {
        this.holdId = holdId;
        this.quotaIds = quotaIds;
        this.limitsRequests = limitsRequests;
        this.limitsTokens = limitsTokens;
        this.takenAtNanos = takenAtNanos;
        this.heldRequests = held.requests();
        this.heldTokens = held.tokens();
        this.availableRequests = held.requests();
        this.availableTokens = held.tokens();
    }

    /** Serves one request of {@code tokens} from the block; false when retired or short. */
    synchronized boolean take(long tokens) {
        if (retired || (limitsRequests && availableRequests < 1) || (limitsTokens && availableTokens < tokens)) {
            return false;
        }
        availableRequests--;
        availableTokens -= tokens;
        inFlightRequests++;
        inFlightTokens += tokens;
        return true;
    }

    /** A request served from this block finished: a request counts if it reached the provider, tokens as used. */
    synchronized void settle(long reservedTokens, boolean reachedProvider, long tokensUsed) {
        long used = Math.max(0, tokensUsed);
        inFlightRequests--;
        inFlightTokens -= reservedTokens;
        usedRequests += reachedProvider ? 1 : 0;
        usedTokens += used;
        if (!retired) {
            availableRequests += reachedProvider ? 0 : 1;
            availableTokens += reservedTokens - used;
        }
    }

    /** No more requests are served from it; what is available goes back at the next flush. */
    synchronized void retire() {
        retired = true;
        availableRequests = 0;
        availableTokens = 0;
    }

    synchronized boolean retired() {
        return retired;
    }

    /** What a flush would write now, or null when the database is already up to date. */
    synchronized Flush flushPlan() {
        Amounts keep = new Amounts(Math.max(0, availableRequests) + inFlightRequests,
                Math.max(0, availableTokens) + inFlightTokens);
        if (keep.requests() == heldRequests && keep.tokens() == heldTokens && usedRequests == 0 && usedTokens == 0) {
            return null;
        }
        return new Flush(new Amounts(heldRequests, heldTokens), keep, new Amounts(usedRequests, usedTokens));
    }

    /** The flush was committed: the hold now holds {@code keep}, and its usage is counted. */
    synchronized void flushed(Flush flush) {
        heldRequests = flush.keep().requests();
        heldTokens = flush.keep().tokens();
        usedRequests -= flush.used().requests();
        usedTokens -= flush.used().tokens();
    }

    /** Retired, nothing in flight, and nothing held any more: done with. */
    synchronized boolean finished() {
        return retired && inFlightRequests == 0 && heldRequests == 0 && heldTokens == 0
                && usedRequests == 0 && usedTokens == 0;
    }

    record Flush(Amounts held, Amounts keep, Amounts used) {
    }
}
