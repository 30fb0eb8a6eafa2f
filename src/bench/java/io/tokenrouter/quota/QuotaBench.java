package io.tokenrouter.quota;

import io.tokenrouter.store.Period;
import io.tokenrouter.store.Metric;
import io.tokenrouter.store.OwnerType;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.TestDatabases;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** A quota gate on a fresh H2 database with a key, a parent and a team limit, for benchmarks. */
public final class QuotaBench {

    private final Database database;
    private final QuotaGate gate;
    private final QuotaSubject subject;

    private QuotaBench() {
        database = TestDatabases.h2();
        QuotaRepository quotas = TestDatabases.quotas(database);
        quotas.replaceForOwner(OwnerType.KEY, 1L, List.of(new Quota(OwnerType.KEY, 1L, Metric.REQUESTS, Period.DAY, Long.MAX_VALUE / 4)));
        quotas.replaceForOwner(OwnerType.KEY, 2L, List.of(new Quota(OwnerType.KEY, 2L, Metric.TOKENS, Period.MONTH, Long.MAX_VALUE / 4)));
        quotas.replaceForOwner(OwnerType.TEAM, 3L, List.of(new Quota(OwnerType.TEAM, 3L, Metric.TOKENS, Period.TOTAL, Long.MAX_VALUE / 4)));
        List<Long> ids = new java.util.ArrayList<>();
        quotas.findForOwners(List.of(1L, 2L), 3L).forEach(q -> ids.add(q.getId()));
        subject = new QuotaSubject(List.of(1L, 2L), Map.of(1L, "key", 2L, "parent"), 3L, "team", ids);
        gate = new QuotaGate(quotas, TestDatabases.node(database));
        gate.useClock(Clock.systemUTC());
    }

    public static QuotaBench open() {
        return new QuotaBench();
    }

    public void reserveAndSettle() {
        gate.settle(gate.reserve(subject, 200), true, 150);
    }

    public void close() {
        TestDatabases.close(database);
    }
}
