package io.tokenrouter.quota;

import io.tokenrouter.store.Quota;
import io.tokenrouter.store.Period;
import io.tokenrouter.store.OwnerType;
import io.tokenrouter.store.Metric;
import io.swagger.v3.oas.annotations.media.Schema;
import io.tokenrouter.api.GatewayException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A wanted limit as an API client writes it: {@code {"metric":"tokens","period":"day","limit":100000}}, a
 * budget {@code {"metric":"cost","period":"month","limit":25.50}} (in US dollars, at most six decimals), and
 * optionally {@code "model"}: the model or alias the limit is for (absent: every model).
 */
public record QuotaSpec(
        @Schema(description = "requests, tokens or cost (a budget in US dollars)", example = "cost") String metric,
        @Schema(description = "total, minute, hour, day, week or month (calendar windows in UTC)", example = "month")
        String period,
        @Schema(description = "a count of requests or tokens, or US dollars with at most six decimals", example = "25.50")
        BigDecimal limit,
        @Schema(description = "the model or alias the limit is for; absent or empty: every model", example = "gpt-4o")
        String model,
        @Schema(description = "how much each node may overspend the limit while the database is unreachable and its"
                + " allowance is used up, in the limit's unit (dollars for cost), counted once the database is back;"
                + " absent or 0: such requests are refused with 503 quota_unavailable", example = "1.00")
        BigDecimal outageCredit) {

    /** 10^15: far beyond any real budget, and far from where counter arithmetic could overflow. */
    public static final long MAX_LIMIT = 1_000_000_000_000_000L;
    /** The longest model name a limit can be for (the column's size). */
    static final int MAX_MODEL = 300;

    public QuotaSpec(String metric, String period, Long limit) {
        this(metric, period, limit == null ? null : BigDecimal.valueOf(limit), null);
    }

    public QuotaSpec(String metric, String period, BigDecimal limit, String model) {
        this(metric, period, limit, model, null);
    }

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
            if (!seen.add(spec.metric() + "/" + spec.period() + "/" + spec.model())) {
                throw GatewayException.invalidRequest("quotas[" + i + "]", "There is already a " + spec.period() + " "
                        + spec.metric() + " quota" + (spec.model().isEmpty() ? "" : " for model '" + spec.model() + "'") + ".");
            }
            result.add(spec);
        }
        return result;
    }

    /** Checks the fields, naming the one that is wrong. */
    public QuotaSpec validated(String param) {
        Metric m;
        try {
            m = Metric.parse(metric == null ? "" : metric);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest(param + ".metric",
                    "metric must be 'requests', 'tokens' or 'cost', not '" + metric + "'.");
        }
        Period p;
        try {
            p = Period.parse(period == null ? "total" : period);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest(param + ".period",
                    "period must be 'total', 'minute', 'hour', 'day', 'week' or 'month', not '" + period + "'.");
        }
        String forModel = model == null ? "" : model.trim();
        if (forModel.length() > MAX_MODEL) {
            throw GatewayException.invalidRequest(param + ".model", "model must be at most " + MAX_MODEL + " characters.");
        }
        long stored = stored(m, limit, param + ".limit", "limit");
        if (outageCredit != null && stored(m, outageCredit, param + ".outage_credit", "outage_credit") > stored) {
            throw GatewayException.invalidRequest(param + ".outage_credit", "outage_credit must not be more than the limit.");
        }
        return new QuotaSpec(m.wireName(), p.wireName(), limit, forModel, outageCredit);
    }

    /** The limit this (validated) spec asks for, as a row of {@code owner}'s, its counters empty. */
    public Quota toQuota(OwnerType owner, long ownerId) {
        Quota quota = new Quota(owner, ownerId, Metric.parse(metric), Period.parse(period), model, storedLimit());
        if (outageCredit != null) {
            quota.setOutageCredit(stored(Metric.parse(metric), outageCredit, "outage_credit", "outage_credit"));
        }
        return quota;
    }

    /** The limit as stored: a count, or for cost millionths of a dollar. */
    public long storedLimit() {
        return stored(Metric.parse(metric), limit, "limit", "limit");
    }

    private static long stored(Metric metric, BigDecimal limit, String param, String name) {
        Long value = null;
        if (limit != null && limit.signum() >= 0) {
            if (metric == Metric.COST) {
                value = Money.micros(limit);
            } else if (limit.stripTrailingZeros().scale() <= 0) {
                value = limit.compareTo(BigDecimal.valueOf(MAX_LIMIT)) <= 0 ? limit.longValue() : null;
            }
        }
        if (value == null || value > MAX_LIMIT) {
            throw GatewayException.invalidRequest(param, metric == Metric.COST
                    ? name + " must be an amount of US dollars from 0 to " + MAX_LIMIT / 1_000_000 + ", with at most six decimals."
                    : name + " must be a whole number from 0 to " + MAX_LIMIT + ".");
        }
        return value;
    }
}
