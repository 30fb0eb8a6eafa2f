package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaRepository;
import java.util.List;

/**
 * What one request reserved before it was forwarded, so {@link QuotaGate#settle} can replace it with the
 * actual usage: one request and {@code tokens} on each quota row, held under {@code holdId}.
 * {@link #NONE} when no limit applied.
 */
public record Reservation(long holdId, List<Long> quotaIds, long tokens) {

    public static final Reservation NONE = new Reservation(0, List.of(), 0);

    public boolean isEmpty() {
        return quotaIds.isEmpty();
    }

    QuotaRepository.Hold hold() {
        return new QuotaRepository.Hold(holdId, quotaIds, tokens);
    }
}
