package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaRepository;
import java.util.List;
import java.util.Map;

/**
 * What one request reserved before it was forwarded, so {@link QuotaGate#settle} can replace it with the
 * actual usage: either the rows of the fast path ({@code ids}, one request and {@code tokens} each) or,
 * from the slow path, per row the amount and metric. {@link #NONE} when no limit applied.
 */
public record Reservation(List<QuotaRepository.Reservation> rows, Map<Long, Metric> metrics, List<Long> ids,
                          long tokens) {

    public static final Reservation NONE = new Reservation(List.of(), Map.of(), List.of(), 0);

    /** Reserved by the hot path: one request and {@code tokens} on each of {@code ids}. */
    static Reservation fast(List<Long> ids, long tokens) {
        return new Reservation(List.of(), Map.of(), ids, tokens);
    }

    public boolean isEmpty() {
        return rows.isEmpty() && ids.isEmpty();
    }
}
