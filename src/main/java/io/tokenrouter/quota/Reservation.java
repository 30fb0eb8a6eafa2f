package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaRepository;
import java.util.List;
import java.util.Map;

/**
 * What one request reserved before it was forwarded: per quota row, the amount and the metric, so
 * {@link QuotaGate#settle} can replace it with the actual usage. {@link #NONE} when no limit applied.
 */
public record Reservation(List<QuotaRepository.Reservation> rows, Map<Long, Metric> metrics,
                          Map<String, String> headers) {

    public static final Reservation NONE = new Reservation(List.of(), Map.of(), Map.of());
}
