package io.tokenrouter.quota;

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

    @Inject
    public QuotaService(QuotaRepository quotas) {
        this.quotas = quotas;
    }

    protected QuotaService() {
        this(null);
    }

    private final Clock clock = Clock.systemUTC();

    public List<QuotaView> view(String ownerType, long ownerId) {
        Instant now = clock.instant();
        return quotas.findByOwner(ownerType, ownerId).stream().map(q -> view(q, now)).toList();
    }

    /** Replaces the owner's limits with {@code specs} (already validated); counters of kept limits stay. */
    public List<QuotaView> set(String ownerType, long ownerId, List<QuotaSpec> specs) {
        List<Quota> wanted = specs.stream()
                .map(s -> new Quota(ownerType, ownerId, s.metric(), s.period(), s.limit())).toList();
        quotas.replaceForOwner(ownerType, ownerId, wanted);
        return view(ownerType, ownerId);
    }

    public List<QuotaView> reset(String ownerType, long ownerId) {
        quotas.resetOwner(ownerType, ownerId);
        return view(ownerType, ownerId);
    }

    static QuotaView view(Quota q, Instant now) {
        Period period = Period.parse(q.getPeriod());
        Instant windowStart = period.windowStart(now);
        boolean stale = windowStart != null && (q.getWindowStart() == null || q.getWindowStart().isBefore(windowStart));
        long used = stale ? 0 : q.getUsed();
        return new QuotaView(q.getMetric(), q.getPeriod(), q.getLimit(), used, q.getReserved(),
                Math.max(0, q.getLimit() - used - q.getReserved()), period.windowEnd(now));
    }
}
