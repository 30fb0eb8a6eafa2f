package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaWindow;
import io.tokenrouter.store.Period;
import io.tokenrouter.store.OwnerType;
import io.tokenrouter.store.Metric;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository.Amounts;
import java.time.Duration;
import java.time.Instant;

/** The 429 a limit answers with: which limit of whom refused, what it has left, what the request needs, when it resets. */
final class QuotaRefusal {

    private QuotaRefusal() {
    }

    /**
     * The 429 of the row that refused: which limit of whom (and for which model), what is used and reserved,
     * what the request needs, and when it resets; with the {@code x-ratelimit-*} headers of that limit.
     */
    static GatewayException of(QuotaSubject subject, Quota row, Amounts ask, Instant now) {
        Metric metric = row.getMetric();
        Period period = row.getPeriod();
        long needed = ask.of(metric);
        Instant resets = period.windowEnd(now);
        long used = QuotaWindow.usedNow(row, now);
        long left = Math.max(0, row.getLimit() - used - row.getReserved());
        String quota = "The " + period.adjective() + " " + noun(metric) + " of " + owner(subject, row)
                + (row.getModel().isEmpty() ? "" : " for model '" + row.getModel() + "'");
        String state = (metric == Metric.COST ? Money.format(used) : Long.toString(used)) + " of "
                + amount(metric, row.getLimit()) + " used, "
                + amount(metric, row.getReserved()) + " reserved by requests in flight and gateway nodes' allowances";
        String message = (left > 0 && metric != Metric.REQUESTS
                ? quota + " has " + amount(metric, left) + " left (" + state + "), and this request may "
                + (metric == Metric.COST ? "cost up to " : "use up to ") + amount(metric, needed)
                + " (an upper bound of everything it sends and its max_tokens, or default_max_tokens when it sets"
                + " none" + (metric == Metric.COST ? ", at the dearest price of its model's routes" : "") + "). Send less,"
                + " set max_tokens (max_completion_tokens, max_output_tokens) lower, or ask for a larger "
                + (metric == Metric.COST ? "budget. " : "quota. ")
                : quota + " is exhausted: " + state + ", this request needs " + amount(metric, needed) + ". ")
                + (resets == null ? "It does not reset by itself; an administrator can reset it."
                : "It resets at " + resets + ".");
        GatewayException e = new GatewayException(429, metric.wireName(),
                resets == null ? "insufficient_quota" : "rate_limit_exceeded", null, message,
                resets == null ? null : Duration.between(now, resets), null);
        String suffix = metric.wireName();
        e.withHeader("x-ratelimit-limit-" + suffix, headerAmount(metric, row.getLimit()));
        e.withHeader("x-ratelimit-remaining-" + suffix, headerAmount(metric, left));
        if (resets != null) {
            e.withHeader("x-ratelimit-reset-" + suffix, Duration.between(now, resets).toSeconds() + "s");
        }
        return e;
    }

    /**
     * The 503 of a quota this node cannot serve while the database is unreachable: its allowance ran out (or it
     * had none), and a new block needs the database. Refused rather than served unaccounted, never a hang.
     */
    static GatewayException unavailable(Throwable cause) {
        return new GatewayException(503, "server_error", "quota_unavailable", null, "The key's quota cannot be checked"
                + " now: the database is unreachable and this node's allowance for it is used up. Try again shortly.",
                Duration.ofSeconds(5), cause);
    }

    private static String noun(Metric metric) {
        return switch (metric) {
            case REQUESTS -> "request quota";
            case TOKENS -> "token quota";
            case COST -> "cost budget";
        };
    }

    /** "12 requests", "4,098 tokens", "$0.0123". */
    static String amount(Metric metric, long value) {
        return switch (metric) {
            case REQUESTS -> value + (value == 1 ? " request" : " requests");
            case TOKENS -> value + (value == 1 ? " token" : " tokens");
            case COST -> Money.format(value);
        };
    }

    private static String headerAmount(Metric metric, long value) {
        return metric == Metric.COST ? Money.decimal(value) : Long.toString(value);
    }

    static String owner(QuotaSubject subject, Quota row) {
        if (row.getOwnerType() == OwnerType.TEAM) {
            return "team '" + subject.teamName() + "'";
        }
        String name = subject.keyNames().getOrDefault(row.getOwnerId(), "#" + row.getOwnerId());
        return row.getOwnerId().equals(subject.keyChain().get(0)) ? "key '" + name + "'" : "parent key '" + name + "'";
    }
}
