package io.tokenrouter.store;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One limit of a key or a team: on requests, tokens or cost (in millionths of a US dollar), total or per
 * period, for every model or one model or alias, with what is used in the current window and what
 * in-flight requests have reserved. Counters change only through the conditional updates of
 * {@link QuotaRepository}.
 */
@Entity
@Table(name = "quotas")
public class Quota {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(name = "owner_type")
    @Convert(converter = OwnerType.Column.class)
    private OwnerType ownerType;
    @Column(name = "owner_id")
    private Long ownerId;
    @Convert(converter = Metric.Column.class)
    private Metric metric;
    @Convert(converter = Period.Column.class)
    private Period period;
    @Column(name = "limit_value")
    private long limit;
    private long used;
    private long reserved;
    @Column(name = "window_start")
    private Instant windowStart;
    /** The model or alias the limit is for; empty for every model. */
    private String model = "";
    /** When the limit last refused a request (kept at most once per window), for budget alerts. */
    @Column(name = "refused_at")
    private Instant refusedAt;
    /** How much this node may overspend the limit while the database is unreachable (0: nothing). */
    @Column(name = "outage_credit")
    private long outageCredit;

    public Quota() {
    }

    public Quota(OwnerType ownerType, Long ownerId, Metric metric, Period period, long limit) {
        this(ownerType, ownerId, metric, period, "", limit);
    }

    public Quota(OwnerType ownerType, Long ownerId, Metric metric, Period period, String model, long limit) {
        this.ownerType = ownerType;
        this.ownerId = ownerId;
        this.metric = metric;
        this.period = period;
        this.model = model == null ? "" : model;
        this.limit = limit;
    }

    public Long getId() { return id; }
    public OwnerType getOwnerType() { return ownerType; }
    public Long getOwnerId() { return ownerId; }
    public Metric getMetric() { return metric; }
    public Period getPeriod() { return period; }
    public long getLimit() { return limit; }
    public void setLimit(long limit) { this.limit = limit; }
    public long getUsed() { return used; }
    public long getReserved() { return reserved; }
    public Instant getWindowStart() { return windowStart; }
    public String getModel() { return model == null ? "" : model; }
    public Instant getRefusedAt() { return refusedAt; }
    public long getOutageCredit() { return outageCredit; }
    public void setOutageCredit(long outageCredit) { this.outageCredit = outageCredit; }
}
