package io.tokenrouter.quota;

import io.tokenrouter.store.Period;
import io.tokenrouter.store.Metric;
import io.tokenrouter.store.OwnerType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quota enforcement against real databases, H2 and PostgreSQL: many threads reserving at the same
 * instant never take more than a limit allows, parent/child/team chains refuse as a whole, settlement
 * keeps counters exact, and periods roll over on the calendar.
 */
class QuotaConcurrencyTest {

    private static final int THREADS = 50;
    private static final AtomicLong OWNER_IDS = new AtomicLong(1000);
    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    private static QuotaGate gate(QuotaRepository repository, Clock clock) {
        QuotaGate gate = new QuotaGate(repository, TestDatabases.node(TestDatabases.databaseOf(repository)));
        gate.useClock(clock);
        return gate;
    }

    private static long newOwner() {
        return OWNER_IDS.incrementAndGet();
    }

    /** A subject with the key's quota ids known, as the key cache knows them: the fast path. */
    private static QuotaSubject key(QuotaRepository repository, long keyId, String name) {
        return new QuotaSubject(List.of(keyId), Map.of(keyId, name), null, null, ids(repository, OwnerType.KEY, keyId));
    }

    private static List<Long> ids(QuotaRepository repository, OwnerType ownerType, long... owners) {
        List<Long> ids = new ArrayList<>();
        for (long owner : owners) {
            repository.findByOwner(ownerType, owner).forEach(q -> ids.add(q.getId()));
        }
        return ids;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void fiftyParallelRequestsOnARequestQuotaOfTenForwardExactlyTen(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, 10)));
        QuotaGate gate = gate(repository, Clock.systemUTC());

        List<Object> outcomes = inParallel(() -> gate.reserve(key(repository, key, "k"), 1));

        List<Reservation> accepted = outcomes.stream().filter(Reservation.class::isInstance).map(Reservation.class::cast).toList();
        List<GatewayException> refused = outcomes.stream().filter(GatewayException.class::isInstance)
                .map(GatewayException.class::cast).toList();
        assertThat(accepted).hasSize(10);
        assertThat(refused).hasSize(40).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.code()).isEqualTo("insufficient_quota");
        });
        Quota row = repository.findByOwner(OwnerType.KEY, key).get(0);
        assertThat(row.getReserved()).isEqualTo(10);
        accepted.forEach(r -> gate.settle(r, true, 0));
        gate.flushAllowances(true);
        row = repository.findByOwner(OwnerType.KEY, key).get(0);
        assertThat(row.getUsed()).isEqualTo(10);
        assertThat(row.getReserved()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void tokenQuotaWithMixedSizesIsNeverOverReserved(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.TOKENS, Period.TOTAL, 1000)));
        QuotaGate gate = gate(repository, Clock.systemUTC());
        Random random = new Random(42);
        long[] sizes = random.longs(THREADS, 20, 200).toArray();
        AtomicLong next = new AtomicLong();

        List<Object> outcomes = inParallel(() -> {
            long size = sizes[(int) next.getAndIncrement()];
            return new Object[] {size, gate.reserve(key(repository, key, "k"), size)};
        });

        long reservedSum = 0;
        List<Object[]> accepted = new ArrayList<>();
        for (Object o : outcomes) {
            if (o instanceof Object[] pair) {
                reservedSum += (long) pair[0];
                accepted.add(pair);
            }
        }
        assertThat(reservedSum).isLessThanOrEqualTo(1000).isGreaterThan(800);
        gate.flushAllowances(true); // unused parts of this node's allowance go back; in-flight reservations stay
        assertThat(repository.findByOwner(OwnerType.KEY, key).get(0).getReserved()).isEqualTo(reservedSum);
        // settle each below its reservation (actual usage is usually lower than the maximum asked for)
        long usedSum = 0;
        for (Object[] pair : accepted) {
            long actual = (long) pair[0] / 2;
            usedSum += actual;
            gate.settle((Reservation) pair[1], true, actual);
        }
        gate.flushAllowances(true);
        Quota row = repository.findByOwner(OwnerType.KEY, key).get(0);
        assertThat(row.getUsed()).isEqualTo(usedSum);
        assertThat(row.getReserved()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void theTightestOfKeyParentAndTeamDecidesAndRefusalsReserveNothing(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long child = newOwner();
        long parent = newOwner();
        long team = newOwner();
        repository.replaceForOwner(OwnerType.KEY, child, List.of(new Quota(OwnerType.KEY, child, Metric.REQUESTS, Period.TOTAL, 20)));
        repository.replaceForOwner(OwnerType.KEY, parent, List.of(new Quota(OwnerType.KEY, parent, Metric.REQUESTS, Period.TOTAL, 8)));
        repository.replaceForOwner(OwnerType.TEAM, team, List.of(new Quota(OwnerType.TEAM, team, Metric.REQUESTS, Period.DAY, 5)));
        QuotaGate gate = gate(repository, Clock.systemUTC());
        List<Long> ids = ids(repository, OwnerType.KEY, child, parent);
        ids.addAll(ids(repository, OwnerType.TEAM, team));
        QuotaSubject subject = new QuotaSubject(List.of(child, parent), Map.of(child, "child", parent, "parent"), team,
                "research", ids);

        List<Object> outcomes = inParallel(() -> gate.reserve(subject, 1));

        assertThat(outcomes.stream().filter(Reservation.class::isInstance)).hasSize(5);
        assertThat(outcomes.stream().filter(GatewayException.class::isInstance).map(GatewayException.class::cast))
                .allSatisfy(e -> assertThat(e.getMessage()).contains("team 'research'"));
        assertThat(repository.findByOwner(OwnerType.KEY, child).get(0).getReserved()).isEqualTo(5);
        assertThat(repository.findByOwner(OwnerType.KEY, parent).get(0).getReserved()).isEqualTo(5);
        assertThat(repository.findByOwner(OwnerType.TEAM, team).get(0).getReserved()).isEqualTo(5);

        repository.resetOwner(OwnerType.TEAM, team);
        repository.replaceForOwner(OwnerType.TEAM, team, List.of(new Quota(OwnerType.TEAM, team, Metric.REQUESTS, Period.DAY, 100)));
        List<Object> more = inParallel(() -> gate.reserve(subject, 1));
        assertThat(more.stream().filter(Reservation.class::isInstance)).hasSize(3);
        assertThat(more.stream().filter(GatewayException.class::isInstance).map(GatewayException.class::cast))
                .allSatisfy(e -> assertThat(e.getMessage()).contains("parent key 'parent'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aDailyQuotaRollsOverAtMidnightUtc(Supplier<Database> db) {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.DAY, 2)));
        Instant evening = Instant.parse("2026-03-09T23:59:00Z");
        QuotaGate gate = gate(repository, Clock.fixed(evening, ZoneOffset.UTC));

        gate.settle(gate.reserve(key(repository, key, "night-owl"), 1), true, 0);
        gate.settle(gate.reserve(key(repository, key, "night-owl"), 1), true, 0);
        assertThatThrownBy(() -> gate.reserve(key(repository, key, "night-owl"), 1))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.code()).isEqualTo("rate_limit_exceeded");
                    assertThat(e.retryAfter()).hasSeconds(60);
                    assertThat(e.getMessage()).contains("daily request quota of key 'night-owl'")
                            .contains("2026-03-10T00:00:00Z");
                    assertThat(e.headers()).containsEntry("x-ratelimit-remaining-requests", "0");
                });

        gate.useClock(Clock.fixed(Instant.parse("2026-03-10T00:00:01Z"), ZoneOffset.UTC));
        Reservation next = gate.reserve(key(repository, key, "night-owl"), 1);
        gate.settle(next, true, 0);
        gate.flushAllowances(true);
        Quota row = repository.findByOwner(OwnerType.KEY, key).get(0);
        assertThat(row.getUsed()).isEqualTo(1);
        assertThat(row.getWindowStart()).isEqualTo(Instant.parse("2026-03-10T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void withoutKnownQuotaIdsTheSlowPathEnforcesTheSameLimit(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, 7)));
        QuotaGate gate = gate(repository, Clock.systemUTC());
        QuotaSubject stale = new QuotaSubject(List.of(key), Map.of(key, "k"), null, null, List.of(-1L));

        List<Object> outcomes = inParallel(() -> gate.reserve(stale, 1));

        assertThat(outcomes.stream().filter(Reservation.class::isInstance)).hasSize(7);
        assertThat(repository.findByOwner(OwnerType.KEY, key).get(0).getReserved()).isEqualTo(7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aFailedRequestReleasesItsReservationAndKeepsWhatWasUsed(Supplier<Database> db) {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(
                new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, 5),
                new Quota(OwnerType.KEY, key, Metric.TOKENS, Period.TOTAL, 10_000)));
        QuotaGate gate = gate(repository, Clock.systemUTC());

        gate.settle(gate.reserve(key(repository, key, "k"), 4000), false, 0);
        gate.settle(gate.reserve(key(repository, key, "k"), 4000), true, 1234);
        gate.flushAllowances(true);

        List<Quota> rows = repository.findByOwner(OwnerType.KEY, key);
        Quota requests = rows.stream().filter(q -> q.getMetric() == Metric.REQUESTS).findFirst().orElseThrow();
        Quota tokens = rows.stream().filter(q -> q.getMetric() == Metric.TOKENS).findFirst().orElseThrow();
        assertThat(requests.getUsed()).isEqualTo(1);
        assertThat(requests.getReserved()).isZero();
        assertThat(tokens.getUsed()).isEqualTo(1234);
        assertThat(tokens.getReserved()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void requestsAreServedFromOneAllowanceWithoutADatabaseRoundTripEach(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.DAY, 1_000_000),
                new Quota(OwnerType.KEY, key, Metric.TOKENS, Period.DAY, 1_000_000_000L)));
        QuotaGate gate = gate(repository, Clock.systemUTC());
        QuotaSubject subject = key(repository, key, "k");

        for (int i = 0; i < 200; i++) {
            gate.settle(gate.reserve(subject, 100), true, 40);
        }

        // one block (1000 requests, 100,000 tokens) served all 200: one hold, nothing written per request yet
        assertThat(holds(TestDatabases.databaseOf(repository), key)).isEqualTo(1);
        List<Quota> rows = repository.findByOwner(OwnerType.KEY, key);
        assertThat(rows).allSatisfy(q -> assertThat(q.getUsed()).isZero());
        assertThat(rows).anySatisfy(q -> assertThat(q.getReserved()).isEqualTo(1000));
        gate.flushAllowances(false); // the writer's tick: usage written, the hold shrinks to what is left
        rows = repository.findByOwner(OwnerType.KEY, key);
        assertThat(rows).filteredOn(q -> q.getMetric() == Metric.REQUESTS).singleElement().satisfies(q -> {
            assertThat(q.getUsed()).isEqualTo(200);
            assertThat(q.getReserved()).isEqualTo(800);
        });
        assertThat(rows).filteredOn(q -> q.getMetric() == Metric.TOKENS).singleElement().satisfies(q -> {
            assertThat(q.getUsed()).isEqualTo(8000);
            assertThat(q.getReserved()).isEqualTo(100 * 1000 - 8000);
        });
        gate.flushAllowances(true); // retired: the rest goes back, the hold is gone
        assertThat(holds(TestDatabases.databaseOf(repository), key)).isZero();
        assertThat(repository.findByOwner(OwnerType.KEY, key)).allSatisfy(q -> assertThat(q.getReserved()).isZero());
    }

    /**
     * Two nodes, each with 25 threads reserving and settling until refused, on one limit of 1,000 requests:
     * blocks shrink as the limit nears (1/8 of what is left, then one request), so together they forward
     * exactly 1,000 and never one more; what a node's allowance held unused went back before it refused.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void twoNodesWithAllowancesForwardExactlyTheLimit(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, 1000)));
        QuotaGate a = gate(repository, Clock.systemUTC());
        QuotaGate b = new QuotaGate(repository, TestDatabases.node(TestDatabases.databaseOf(repository)));
        QuotaSubject subject = key(repository, key, "k");
        AtomicLong forwarded = new AtomicLong();
        AtomicLong turn = new AtomicLong();

        List<Object> outcomes = inParallel(() -> {
            QuotaGate gate = turn.getAndIncrement() % 2 == 0 ? a : b;
            while (true) {
                Reservation r = gate.reserve(subject, 1); // a refusal ends the loop (returned by inParallel)
                forwarded.incrementAndGet();
                gate.settle(r, true, 0);
            }
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(GatewayException.class));
        assertThat(forwarded.get()).isEqualTo(1000);
        a.flushAllowances(true);
        b.flushAllowances(true);
        Quota row = repository.findByOwner(OwnerType.KEY, key).get(0);
        assertThat(row.getUsed()).isEqualTo(1000);
        assertThat(row.getReserved()).isZero();
        assertThat(holds(TestDatabases.databaseOf(repository), key)).isZero();
    }

    private static long holds(Database db, long key) {
        return db.inTransaction(em -> ((Number) em.createNativeQuery("select count(distinct h.hold_id) from quota_holds h"
                + " join quotas q on q.id = h.quota_id where q.owner_type = 'key' and q.owner_id = ?1")
                .setParameter(1, key).getSingleResult()).longValue());
    }

    /** Runs the task on {@value #THREADS} threads released at the same instant; a refusal is returned, not thrown. */
    /**
     * Reservations and settlements running side by side over the same four rows (a key's and a team's
     * request and token quotas): each transaction locks the rows in the same order, so none deadlocks
     * (PostgreSQL locks a multi-row UPDATE's rows in scan order, which differed between the two).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void concurrentReservationsAndSettlementsOfTheSameRowsNeverDeadlock(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = newOwner();
        long team = newOwner();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.TOKENS, Period.DAY, 1_000_000_000L),
                new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, 1_000_000_000L)));
        repository.replaceForOwner(OwnerType.TEAM, team, List.of(new Quota(OwnerType.TEAM, team, Metric.REQUESTS, Period.DAY, 1_000_000_000L),
                new Quota(OwnerType.TEAM, team, Metric.TOKENS, Period.MONTH, 1_000_000_000L)));
        QuotaGate gate = gate(repository, Clock.systemUTC());
        List<Long> quotaIds = ids(repository, OwnerType.KEY, key);
        quotaIds.addAll(ids(repository, OwnerType.TEAM, team));
        java.util.Collections.shuffle(quotaIds, new Random(7));
        QuotaSubject subject = new QuotaSubject(List.of(key), Map.of(key, "k"), team, "t", quotaIds);

        List<Object> outcomes = inParallel(() -> {
            for (int i = 0; i < 40; i++) {
                gate.settle(gate.reserve(subject, 50), true, 20);
            }
            return "ok";
        });

        assertThat(outcomes).allMatch("ok"::equals);
        gate.flushAllowances(true);
        assertThat(repository.findByOwner(OwnerType.TEAM, team)).allSatisfy(q -> {
            assertThat(q.getReserved()).isZero();
            assertThat(q.getUsed()).isEqualTo(q.getMetric() == Metric.REQUESTS ? 2_000 : 40_000);
        });
    }

    /**
     * The writer's tick and readers asking for exact counters flush and retire allowances while requests are
     * served from them: a limit still forwards exactly as many requests as it allows, one after another as a
     * script's calls come (a limit of one: the second is refused), and from many threads at once.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void flushesRacingRequestsNeverLetMoreThrough(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        QuotaGate gate = gate(repository, Clock.systemUTC());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread flusher = new Thread(() -> {
            for (long i = 0; !stop.get(); i++) {
                gate.flushAllowances(i % 3 == 0);
            }
        });
        flusher.start();
        try {
            for (int round = 0; round < 40; round++) {
                long key = newOwner();
                repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, 1)));
                QuotaSubject subject = key(repository, key, "k");
                gate.settle(gate.reserve(subject, 1), true, 0);
                assertThatThrownBy(() -> gate.reserve(subject, 1)).as("round " + round).isInstanceOf(GatewayException.class);
            }
            long key = newOwner();
            repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, 300)));
            QuotaSubject subject = key(repository, key, "k");
            AtomicLong forwarded = new AtomicLong();
            inParallel(8, () -> {
                while (true) {
                    Reservation r = gate.reserve(subject, 1);
                    forwarded.incrementAndGet();
                    gate.settle(r, true, 0);
                }
            });
            assertThat(forwarded.get()).isEqualTo(300);
        } finally {
            stop.set(true);
            flusher.join();
        }
    }

    private static List<Object> inParallel(Callable<Object> task) throws Exception {
        return inParallel(THREADS, task);
    }

    /** Runs the task on {@code threads} threads released at the same instant; a refusal is returned, not thrown. */
    static List<Object> inParallel(int threads, Callable<Object> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        return task.call();
                    } catch (GatewayException e) {
                        return e;
                    }
                }));
            }
            start.countDown();
            List<Object> results = new ArrayList<>();
            for (Future<Object> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
