package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.QuotaRepository.Amounts;
import java.util.List;

/**
 * What one request reserved before it was forwarded, so {@link QuotaGate#settle} can replace it with the
 * actual usage: one request, its token and cost bounds on each quota row of their metric, either from this
 * node's allowance on those rows ({@link Allowance}, settled in memory) or held in the database under
 * {@code holdId} on its own. {@link #NONE} when no limit applied.
 */
public final class Reservation {

    public static final Reservation NONE = new Reservation(0, List.of(), Amounts.ZERO, null);

    private final long holdId;
    private final List<Long> quotaIds;
    private final Amounts amounts;
    /** The allowance it was served from, or null for a hold of its own. */
    final Allowance allowance;

    Reservation(long holdId, List<Long> quotaIds, Amounts amounts, Allowance allowance) {
        this.holdId = holdId;
        this.quotaIds = quotaIds;
        this.amounts = amounts;
        this.allowance = allowance;
    }

    public long holdId() {
        return holdId;
    }

    public List<Long> quotaIds() {
        return quotaIds;
    }

    /** The tokens reserved: the request's upper bound. */
    public long tokens() {
        return amounts.tokens();
    }

    /** What was reserved, per metric. */
    public Amounts amounts() {
        return amounts;
    }

    public boolean isEmpty() {
        return quotaIds.isEmpty();
    }

    /** Whether {@link QuotaGate#settle} settles it without the database: no limit applied, or an allowance served it. */
    public boolean settlesInMemory() {
        return isEmpty() || allowance != null;
    }

    QuotaRepository.Hold hold() {
        return new QuotaRepository.Hold(holdId, quotaIds, amounts);
    }
}
