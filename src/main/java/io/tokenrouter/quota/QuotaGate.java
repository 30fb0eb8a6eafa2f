package io.tokenrouter.quota;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Enforces quotas around one proxied request. {@link #reserve} takes, atomically in the database, one
 * request and the token estimate (prompt + maximum completion) on every applicable limit of the key,
 * its ancestors and its team, or refuses with 429 naming the limit and when it resets.
 * {@link #settle} replaces the reservation with what was actually used. Because the check and the
 * reservation are one conditional update per row, concurrent requests on any node can overspend a
 * token limit only by what they used beyond their own reservation, and never a request limit.
 */
@ApplicationScoped
public class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class.getName());

    @Inject
    QuotaRepository quotas;

    private Clock clock = Clock.systemUTC();

    public Reservation reserve(QuotaSubject subject, long tokenEstimate) {
        Instant now = clock.instant();
        if (!subject.quotaIds().isEmpty() && quotas.reserveFast(subject.quotaIds(), tokenEstimate,
                Period.DAY.windowStart(now), Period.WEEK.windowStart(now), Period.MONTH.windowStart(now))) {
            return Reservation.fast(subject.quotaIds(), tokenEstimate);
        }
        QuotaRepository.ReserveOutcome outcome = quotas.reserveAll(subject.keyChain(), subject.teamId(),
                row -> Metric.parse(row.getMetric()) == Metric.REQUESTS ? 1 : tokenEstimate,
                row -> Period.parse(row.getPeriod()).windowStart(now));
        if (!outcome.accepted()) {
            throw refusal(subject, outcome.refusedBy(), tokenEstimate, now);
        }
        Map<Long, Metric> metrics = new HashMap<>();
        outcome.rows().forEach(row -> metrics.put(row.getId(), Metric.parse(row.getMetric())));
        return new Reservation(outcome.reserved(), metrics, List.of(), 0);
    }

    /**
     * Settles a reservation: requests count one if the request reached the provider, tokens count what
     * was used. Never throws: a failure is logged, and the reservation stays counted (safe side).
     */
    public void settle(Reservation reservation, boolean reachedProvider, long tokensUsed) {
        if (reservation.isEmpty()) {
            return;
        }
        try {
            if (!reservation.ids().isEmpty()) {
                quotas.settleFast(reservation.ids(), reservation.tokens(), reachedProvider ? 1 : 0, tokensUsed);
                return;
            }
            quotas.settle(reservation.rows(), r -> reservation.metrics().get(r.quotaId()) == Metric.REQUESTS
                    ? (reachedProvider ? 1 : 0) : tokensUsed);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Could not settle quota reservation " + reservation.rows()
                    + "; the reserved amounts stay counted until the quota is reset", e);
        }
    }

    private static GatewayException refusal(QuotaSubject subject, Quota row, long tokens, Instant now) {
        Metric metric = Metric.parse(row.getMetric());
        Period period = Period.parse(row.getPeriod());
        long needed = metric == Metric.REQUESTS ? 1 : tokens;
        String unit = metric == Metric.REQUESTS ? "requests" : "tokens";
        Instant resets = period.windowEnd(now);
        boolean rolledOver = row.getWindowStart() != null && period.windowStart(now) != null
                && row.getWindowStart().isBefore(period.windowStart(now));
        long used = rolledOver ? 0 : row.getUsed();
        String message = "The " + period.adjective() + " " + unit.substring(0, unit.length() - 1) + " quota of "
                + owner(subject, row) + " is exhausted: " + used + " of " + row.getLimit() + " " + unit + " used, "
                + row.getReserved() + " reserved by requests in flight, this request needs " + needed + ". "
                + (resets == null ? "It does not reset by itself; an administrator can reset it."
                : "It resets at " + resets + ".");
        GatewayException e = new GatewayException(429, metric == Metric.REQUESTS ? "requests" : "tokens",
                resets == null ? "insufficient_quota" : "rate_limit_exceeded", null, message,
                resets == null ? null : Duration.between(now, resets), null);
        String suffix = metric == Metric.REQUESTS ? "requests" : "tokens";
        e.withHeader("x-ratelimit-limit-" + suffix, Long.toString(row.getLimit()));
        e.withHeader("x-ratelimit-remaining-" + suffix,
                Long.toString(Math.max(0, row.getLimit() - used - row.getReserved())));
        if (resets != null) {
            e.withHeader("x-ratelimit-reset-" + suffix, Duration.between(now, resets).toSeconds() + "s");
        }
        return e;
    }

    static String owner(QuotaSubject subject, Quota row) {
        if (Quota.OWNER_TEAM.equals(row.getOwnerType())) {
            return "team '" + subject.teamName() + "'";
        }
        String name = subject.keyNames().getOrDefault(row.getOwnerId(), "#" + row.getOwnerId());
        return row.getOwnerId().equals(subject.keyChain().get(0)) ? "key '" + name + "'" : "parent key '" + name + "'";
    }

    /** For tests of period roll-over. */
    public void useClock(Clock clock) {
        this.clock = clock;
    }

}
