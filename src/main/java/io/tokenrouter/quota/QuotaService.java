package io.tokenrouter.quota;

import io.tokenrouter.store.QuotaWindow;
import io.tokenrouter.store.OwnerType;
import io.tokenrouter.store.Metric;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Reading, setting and resetting the limits of a key or a team. */
@ApplicationScoped
public class QuotaService {

    private final QuotaRepository quotas;
    private final QuotaGate gate;

    @Inject
    public QuotaService(QuotaRepository quotas, QuotaGate gate) {
        this.quotas = quotas;
        this.gate = gate;
    }

    protected QuotaService() {
        this(null, null);
    }

    private final Clock clock = Clock.systemUTC();

    /**
     * The owner's limits and counters. This node's allowances are written and given back first, so the
     * counters are exact for this node; other nodes' lag by at most their flush interval (about two seconds).
     * Inside a caller's transaction (which may hold these rows locked) the flush is left to the next tick.
     */
    public List<QuotaView> view(OwnerType ownerType, long ownerId) {
        flushAllowances();
        return read(ownerType, ownerId);
    }

    private void flushAllowances() {
        if (!quotas.callerInTransaction()) {
            gate.flushAllowances(true);
        }
    }

    private List<QuotaView> read(OwnerType ownerType, long ownerId) {
        Instant now = clock.instant();
        return quotas.findByOwner(ownerType, ownerId).stream().map(q -> view(q, now)).toList();
    }

    /** Replaces the owner's limits with {@code specs} (already validated); counters of kept limits stay. */
    public List<QuotaView> set(OwnerType ownerType, long ownerId, List<QuotaSpec> specs) {
        List<Quota> wanted = specs.stream().map(s -> s.toQuota(ownerType, ownerId)).toList();
        quotas.replaceForOwner(ownerType, ownerId, wanted);
        return read(ownerType, ownerId); // often inside the caller's transaction, which holds these rows: no flush here
    }

    public List<QuotaView> reset(OwnerType ownerType, long ownerId) {
        flushAllowances();
        quotas.resetOwner(ownerType, ownerId);
        return read(ownerType, ownerId);
    }

    static QuotaView view(Quota q, Instant now) {
        long used = QuotaWindow.usedNow(q, now);
        long remaining = Math.max(0, q.getLimit() - used - q.getReserved());
        boolean cost = q.getMetric() == Metric.COST;
        return new QuotaView(q.getMetric(), q.getPeriod(), q.getModel(), amount(cost, q.getLimit()), amount(cost, used),
                amount(cost, q.getReserved()), amount(cost, remaining), q.getPeriod().windowEnd(now),
                amount(cost, q.getOutageCredit()));
    }

    private static Number amount(boolean cost, long value) {
        return cost ? Money.dollars(value) : Long.valueOf(value);
    }
}
