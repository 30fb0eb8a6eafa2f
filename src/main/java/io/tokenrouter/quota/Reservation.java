package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaRepository;
import java.util.List;

/**
 * What one request reserved before it was forwarded, so {@link QuotaGate#settle} can replace it with the
 * actual usage: one request and {@code tokens} on each quota row, either from this node's allowance on
 * those rows ({@link Allowance}, settled in memory) or held in the database under {@code holdId} on its
 * own. {@link #NONE} when no limit applied.
 */
public final class Reservation {

    public static final Reservation NONE = new Reservation(0, List.of(), 0, null);

    private final long holdId;
    private final List<Long> quotaIds;
    private final long tokens;
    /** The allowance it was served from, or null for a hold of its own. */
    final Allowance allowance;

    Reservation(long holdId, List<Long> quotaIds, long tokens, Allowance allowance) {
        this.holdId = holdId;
        this.quotaIds = quotaIds;
        this.tokens = tokens;
        this.allowance = allowance;
    }

    public long holdId() {
        return holdId;
    }

    public List<Long> quotaIds() {
        return quotaIds;
    }

    public long tokens() {
        return tokens;
    }

    public boolean isEmpty() {
        return quotaIds.isEmpty();
    }

    /** Whether {@link QuotaGate#settle} settles it without the database: no limit applied, or an allowance served it. */
    public boolean settlesInMemory() {
        return isEmpty() || allowance != null;
    }

    QuotaRepository.Hold hold() {
        return new QuotaRepository.Hold(holdId, quotaIds, tokens);
    }
}
