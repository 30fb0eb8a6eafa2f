package io.tokenrouter.quota;

import io.tokenrouter.api.GatewayException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A wanted limit as an API client writes it: {@code {"metric":"tokens","period":"day","limit":100000}}. */
public record QuotaSpec(String metric, String period, Long limit) {

    /** 10^15: far beyond any real budget, and far from where counter arithmetic could overflow. */
    public static final long MAX_LIMIT = 1_000_000_000_000_000L;

    /** Validates a list of specs, naming the wrong entry (null stays null: "leave the limits as they are"). */
    public static List<QuotaSpec> validateAll(List<QuotaSpec> specs) {
        if (specs == null) {
            return null;
        }
        List<QuotaSpec> result = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i) == null) {
                throw GatewayException.invalidRequest("quotas[" + i + "]", "A quota must be an object.");
            }
            QuotaSpec spec = specs.get(i).validated("quotas[" + i + "]");
            if (!seen.add(spec.metric() + "/" + spec.period())) {
                throw GatewayException.invalidRequest("quotas[" + i + "]",
                        "There is already a " + spec.period() + " " + spec.metric() + " quota.");
            }
            result.add(spec);
        }
        return result;
    }

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
