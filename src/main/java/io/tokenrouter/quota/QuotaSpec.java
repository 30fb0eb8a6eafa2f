package io.tokenrouter.quota;

import io.tokenrouter.api.GatewayException;

/** A wanted limit as an API client writes it: {@code {"metric":"tokens","period":"day","limit":100000}}. */
public record QuotaSpec(String metric, String period, Long limit) {

    /** 10^15: far beyond any real budget, and far from where counter arithmetic could overflow. */
    public static final long MAX_LIMIT = 1_000_000_000_000_000L;

    /** Checks the fields, naming the one that is wrong. */
    public QuotaSpec validated(String param) {
        try {
            Metric.parse(metric == null ? "" : metric);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest(param + ".metric", "metric must be 'requests' or 'tokens', not '" + metric + "'.");
        }
        try {
            Period.parse(period == null ? "total" : period);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest(param + ".period",
                    "period must be 'total', 'day', 'week' or 'month', not '" + period + "'.");
        }
        if (limit == null || limit < 0 || limit > MAX_LIMIT) {
            throw GatewayException.invalidRequest(param + ".limit", "limit must be a whole number from 0 to " + MAX_LIMIT + ".");
        }
        return new QuotaSpec(Metric.parse(metric).wireName(), Period.parse(period == null ? "total" : period).wireName(), limit);
    }
}
