package io.tokenrouter.quota;

import io.tokenrouter.store.Period;
import io.tokenrouter.store.Metric;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A limit and where it stands now, for the API and the console. Amounts are counts of requests or tokens,
 * or for cost US dollars ({@link java.math.BigDecimal}); {@code model} is "" for a limit on every model;
 * {@code outageCredit} is what each node may overspend it while the database is unreachable.
 */
public record QuotaView(Metric metric, Period period, String model, Number limit, Number used, Number reserved,
                        Number remaining, Instant resetsAt, Number outageCredit) {

    /** Whether it is a budget in money. */
    @JsonIgnore
    public boolean isCost() {
        return metric == Metric.COST;
    }

    /** What is spent or promised to requests in flight: used plus reserved. */
    public Number taken() {
        return used instanceof BigDecimal u && reserved instanceof BigDecimal r ? u.add(r)
                : Long.valueOf(used.longValue() + reserved.longValue());
    }

    /** How full it is, from 0 to 1 (used and reserved against the limit). */
    public double share() {
        double most = limit.doubleValue();
        return most <= 0 ? 1 : Math.min(1, (used.doubleValue() + reserved.doubleValue()) / most);
    }
}
