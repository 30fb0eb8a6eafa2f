package io.tokenrouter.observe;

import io.tokenrouter.events.EventLog;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.quota.Money;
import io.tokenrouter.store.Period;
import io.tokenrouter.store.QuotaWindow;
import io.tokenrouter.store.BudgetAlertRepository;
import io.tokenrouter.store.BudgetAlertRepository.Budget;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells people when a team's or key's budget fills: at each of {@code budget_alert_thresholds} (50, 80 and
 * 100 % by default) an event and a POST to the alert webhook naming the owner, the budget, its period and
 * what is spent. Every node looks every {@value #INTERVAL_SECONDS} seconds; the node that claims an alert's
 * row first sends it, so each fires exactly once per budget, threshold and window across the cluster. A
 * budget is never spent past its limit, so 100 % also fires when it refused a request with less than a tenth
 * of it left.
 */
@ApplicationScoped
public class BudgetAlerts {

    static final int INTERVAL_SECONDS = 10;
    /** How long after a window's end what it spent is still looked at (a few rounds of this job). */
    private static final Duration LATE = Duration.ofMinutes(1);

    @Inject
    GatewaySettings settings;
    @Inject
    BudgetAlertRepository budgets;
    @Inject
    EventLog events;
    @Inject
    Scheduler scheduler;
    @Inject
    AlertWebhook webhook;

    public void start() {
        if (!settings.budgetAlertThresholds().isEmpty()) {
            scheduler.every(Duration.ofSeconds(INTERVAL_SECONDS), "budget alerts", () -> check(Instant.now()));
            scheduler.every(Duration.ofHours(6), "budget alert clean-up",
                    () -> budgets.forgetAlertsBefore(Instant.now().minus(Duration.ofDays(40))));
        }
    }

    /** Fires every alert whose threshold a budget has reached in its current window and nobody fired yet. */
    void check(Instant now) {
        for (Budget budget : budgets.budgets()) {
            Period period = budget.period();
            Instant window = period.windowStart(now);
            long spent = 0;
            if (!QuotaWindow.stale(budget.windowStart(), window)) {
                spent = budget.used();
            } else if (budget.windowStart() != null && period.windowEnd(budget.windowStart()).isAfter(now.minus(LATE))) {
                // the window just ended: what its last seconds spent is still told, for that window
                window = budget.windowStart();
                spent = budget.used();
            }
            boolean refused = budget.refusedAt() != null && (window == null || !budget.refusedAt().isBefore(window))
                    && (window == null || budget.refusedAt().isBefore(period.windowEnd(window)));
            for (int threshold : settings.budgetAlertThresholds()) {
                if ((reached(spent, budget.limit(), threshold) || (threshold == 100 && refused))
                        && budgets.claimAlert(budget.quotaId(), threshold, window == null ? Instant.EPOCH : window, now)) {
                    fire(budget, period, threshold, spent, refused && !reached(spent, budget.limit(), threshold));
                }
            }
        }
    }

    /** Whether {@code spent} is at least {@code percent} % of {@code limit}, exactly. */
    static boolean reached(long spent, long limit, int percent) {
        return BigInteger.valueOf(spent).multiply(BigInteger.valueOf(100))
                .compareTo(BigInteger.valueOf(limit).multiply(BigInteger.valueOf(percent))) >= 0;
    }

    private void fire(Budget budget, Period period, int threshold, long spent, boolean byRefusal) {
        String owner = budget.ownerType().wireName() + " '" + budget.ownerName() + "'";
        String what = "The " + period.adjective() + " budget of " + owner
                + (budget.model().isEmpty() ? "" : " for model '" + budget.model() + "'");
        String text = byRefusal
                ? what + " is spent: it refused a request (" + Money.format(spent) + " of " + Money.format(budget.limit()) + ")."
                : what + " has reached " + threshold + " %: " + Money.format(spent) + " of " + Money.format(budget.limit())
                + " spent.";
        if (threshold >= 100) {
            events.warn("budget", owner, text);
        } else {
            events.info("budget", owner, text);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("owner_type", budget.ownerType().wireName());
        fields.put("owner_id", budget.ownerId());
        fields.put("owner", budget.ownerName());
        fields.put("model", budget.model());
        fields.put("period", budget.period().wireName());
        fields.put("threshold", threshold);
        fields.put("budget", Money.dollars(budget.limit()));
        fields.put("spent", Money.dollars(spent));
        webhook.post("budget_threshold", fields, text);
    }
}
