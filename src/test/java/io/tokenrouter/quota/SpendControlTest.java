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
import io.tokenrouter.store.QuotaRepository.Amounts;
import io.tokenrouter.store.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spend control on real databases, H2 and PostgreSQL: budgets in money and token quotas are never exceeded
 * however much requests report, even with many threads and two nodes at once; per-minute limits count in
 * their minute; a limit for one model leaves the others alone; an allowance's flush never breaks a hold.
 */
class SpendControlTest {

    private static final int THREADS = 40;
    private static final AtomicLong OWNER_IDS = new AtomicLong(90_000);
    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    private static QuotaGate gate(QuotaRepository repository) {
        return new QuotaGate(repository, TestDatabases.node(TestDatabases.databaseOf(repository)));
    }

    private static long keyWith(QuotaRepository repository, Quota... quotas) {
        long key = OWNER_IDS.incrementAndGet();
        List<Quota> rows = new ArrayList<>();
        for (Quota q : quotas) {
            rows.add(new Quota(OwnerType.KEY, key, q.getMetric(), q.getPeriod(), q.getModel(), q.getLimit()));
        }
        repository.replaceForOwner(OwnerType.KEY, key, rows);
        return key;
    }

    private static Quota limit(Metric metric, Period period, long limit) {
        return new Quota(OwnerType.KEY, 0L, metric, period, "", limit);
    }

    private static QuotaSubject subject(QuotaRepository repository, long key, Set<String> models) {
        List<Long> ids = repository.findByOwner(OwnerType.KEY, key).stream()
                .filter(q -> q.getModel().isEmpty() || models.contains(q.getModel())).map(Quota::getId).toList();
        return new QuotaSubject(List.of(key), Map.of(key, "k"), null, null, ids, models);
    }

    private static Quota row(QuotaRepository repository, long key, Metric metric) {
        return repository.findByOwner(OwnerType.KEY, key).stream().filter(q -> q.getMetric() == metric)
                .findFirst().orElseThrow();
    }

    /**
     * Forty threads on two nodes spend a $1 budget with requests that may cost up to 3.7 cents each and
     * whose provider reports anything from nothing to three times that: the budget is never exceeded, and
     * spent to within one request of its end.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aBudgetIsNeverExceededWhateverRequestsReport(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = keyWith(repository, limit(Metric.COST, Period.MONTH, 1_000_000));
        QuotaGate a = gate(repository);
        QuotaGate b = gate(repository);
        QuotaSubject subject = subject(repository, key, Set.of());
        AtomicLong charged = new AtomicLong();
        AtomicLong turn = new AtomicLong();

        List<Object> outcomes = inParallel(() -> {
            QuotaGate gate = turn.getAndIncrement() % 2 == 0 ? a : b;
            while (true) {
                Reservation r = gate.reserve(subject, new Amounts(1, 2_000, 37_000));
                long reported = ThreadLocalRandom.current().nextLong(0, 3 * 37_000);
                charged.addAndGet(Math.min(reported, 37_000));
                gate.settle(r, true, new Amounts(0, 1_000, reported));
            }
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.getMessage()).contains("cost budget of key 'k'").contains("$")));
        a.flushAllowances(true);
        b.flushAllowances(true);
        assertThat(row(repository, key, Metric.COST).getUsed()).isEqualTo(charged.get()).isLessThanOrEqualTo(1_000_000);
        // a node may have refused while the other's allowance held the rest; with it given back, what is left is spent
        try {
            while (true) {
                Reservation r = a.reserve(subject, new Amounts(1, 2_000, 37_000));
                charged.addAndGet(37_000);
                a.settle(r, true, new Amounts(0, 1_000, 100_000));
            }
        } catch (GatewayException refused) {
            assertThat(refused.status()).isEqualTo(429);
        }
        a.flushAllowances(true);
        Quota budget = row(repository, key, Metric.COST);
        assertThat(budget.getUsed()).isEqualTo(charged.get()).isLessThanOrEqualTo(1_000_000).isGreaterThan(1_000_000 - 37_000);
        assertThat(budget.getReserved()).isZero();
    }

    /** The same for tokens: what a provider reports beyond what a request reserved is never counted. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aTokenQuotaIsNeverExceededWhenRequestsReportMoreThanTheyReserved(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = keyWith(repository, limit(Metric.TOKENS, Period.TOTAL, 1000), limit(Metric.REQUESTS, Period.DAY, 1_000_000));
        QuotaGate gate = gate(repository);
        QuotaSubject subject = subject(repository, key, Set.of());

        List<Object> outcomes = inParallel(() -> {
            while (true) {
                gate.settle(gate.reserve(subject, 30), true, 8_000);
            }
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(GatewayException.class));
        gate.flushAllowances(true);
        assertThat(row(repository, key, Metric.TOKENS).getUsed()).isEqualTo(990);
        assertThat(row(repository, key, Metric.TOKENS).getReserved()).isZero();
        assertThat(row(repository, key, Metric.REQUESTS).getUsed()).isEqualTo(33);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aBudgetRefusalSaysWhatIsLeftInDollars(Supplier<Database> db) {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = keyWith(repository, limit(Metric.COST, Period.DAY, 50_000));
        QuotaGate gate = gate(repository);
        gate.useClock(Clock.fixed(Instant.parse("2026-05-04T22:00:00Z"), ZoneOffset.UTC));
        QuotaSubject subject = subject(repository, key, Set.of());
        gate.settle(gate.reserve(subject, new Amounts(1, 100, 20_000)), true, new Amounts(0, 100, 12_500));
        gate.flushAllowances(true);

        assertThatThrownBy(() -> gate.reserve(subject, new Amounts(1, 100, 60_000))).isInstanceOfSatisfying(
                GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("rate_limit_exceeded");
                    assertThat(e.getMessage()).startsWith("The daily cost budget of key 'k' has $0.0375 left ($0.0125 of"
                            + " $0.05 used").contains("may cost up to $0.06").contains("2026-05-05T00:00:00Z");
                    assertThat(e.headers()).containsEntry("x-ratelimit-limit-cost", "0.05")
                            .containsEntry("x-ratelimit-remaining-cost", "0.0375")
                            .containsEntry("x-ratelimit-reset-cost", "7200s");
                });
        assertThat(row(repository, key, Metric.COST).getReserved()).isZero();
    }

    /** A per-minute limit refuses with the seconds to the next minute, and counts again from it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aPerMinuteLimitCountsInItsMinute(Supplier<Database> db) {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = keyWith(repository, limit(Metric.REQUESTS, Period.MINUTE, 3), limit(Metric.TOKENS, Period.HOUR, 1_000_000));
        QuotaGate gate = gate(repository);
        gate.useClock(Clock.fixed(Instant.parse("2026-05-04T12:00:45Z"), ZoneOffset.UTC));
        QuotaSubject subject = subject(repository, key, Set.of());
        for (int i = 0; i < 3; i++) {
            gate.settle(gate.reserve(subject, 10), true, 10);
        }

        assertThatThrownBy(() -> gate.reserve(subject, 10)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.getMessage()).contains("per-minute request quota of key 'k' is exhausted");
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(15));
            assertThat(e.headers()).containsEntry("x-ratelimit-limit-requests", "3")
                    .containsEntry("x-ratelimit-remaining-requests", "0").containsEntry("x-ratelimit-reset-requests", "15s");
        });

        gate.useClock(Clock.fixed(Instant.parse("2026-05-04T12:01:00Z"), ZoneOffset.UTC));
        gate.settle(gate.reserve(subject, 10), true, 10);
        gate.flushAllowances(true);
        Quota minute = row(repository, key, Metric.REQUESTS);
        assertThat(minute.getWindowStart()).isEqualTo(Instant.parse("2026-05-04T12:01:00Z"));
        assertThat(minute.getUsed()).isEqualTo(1);
        assertThat(row(repository, key, Metric.TOKENS).getUsed()).isEqualTo(40);
    }

    /**
     * A node's allowance taken in one minute serves no request in the next: those count in the next minute's
     * row, which they would otherwise escape (the flush would add them to the old window, then cleared).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anAllowanceServesNoRequestAfterItsMinute(Supplier<Database> db) {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = keyWith(repository, limit(Metric.REQUESTS, Period.MINUTE, 1000));
        QuotaGate gate = gate(repository);
        QuotaSubject subject = subject(repository, key, Set.of());
        gate.useClock(Clock.fixed(Instant.parse("2026-05-04T12:00:59.900Z"), ZoneOffset.UTC));
        gate.settle(gate.reserve(subject, 1), true, 1);

        gate.useClock(Clock.fixed(Instant.parse("2026-05-04T12:01:00.100Z"), ZoneOffset.UTC));
        gate.settle(gate.reserve(subject, 1), true, 1);
        gate.settle(gate.reserve(subject, 1), true, 1);
        gate.flushAllowances(true);

        Quota minute = row(repository, key, Metric.REQUESTS);
        assertThat(minute.getWindowStart()).isEqualTo(Instant.parse("2026-05-04T12:01:00Z"));
        assertThat(minute.getUsed()).isGreaterThanOrEqualTo(2);
        assertThat(minute.getReserved()).isZero();
    }

    /** A limit for one model counts that model's requests (by any of its names) and no other's. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aLimitForOneModelLeavesTheOthersAlone(Supplier<Database> db) {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = keyWith(repository, new Quota(OwnerType.KEY, 0L, Metric.REQUESTS, Period.DAY, "gpt-4o", 2),
                limit(Metric.REQUESTS, Period.DAY, 100));
        QuotaGate gate = gate(repository);
        Set<String> gpt4o = Set.of("smart", "mock/gpt-4o", "gpt-4o");
        Set<String> mini = Set.of("mock/gpt-4o-mini", "gpt-4o-mini");
        for (int i = 0; i < 2; i++) {
            gate.settle(gate.reserve(subject(repository, key, gpt4o), 1), true, 1);
        }

        assertThatThrownBy(() -> gate.reserve(subject(repository, key, gpt4o), 1)).isInstanceOfSatisfying(
                GatewayException.class, e -> assertThat(e.getMessage()).contains("for model 'gpt-4o' is exhausted"));
        for (int i = 0; i < 5; i++) {
            gate.settle(gate.reserve(subject(repository, key, mini), 1), true, 1);
        }
        // the slow path (a key whose cached rows are stale) applies the same rule
        QuotaSubject stale = new QuotaSubject(List.of(key), Map.of(key, "k"), null, null, List.of(-1L), mini);
        gate.settle(gate.reserve(stale, 1), true, 1);
        assertThatThrownBy(() -> gate.reserve(new QuotaSubject(List.of(key), Map.of(key, "k"), null, null, List.of(-1L),
                gpt4o), 1)).isInstanceOf(GatewayException.class);
        gate.flushAllowances(true);

        List<Quota> rows = repository.findByOwner(OwnerType.KEY, key);
        assertThat(rows).filteredOn(q -> q.getModel().equals("gpt-4o")).singleElement()
                .satisfies(q -> assertThat(q.getUsed()).isEqualTo(2));
        assertThat(rows).filteredOn(q -> q.getModel().isEmpty()).singleElement()
                .satisfies(q -> assertThat(q.getUsed()).isEqualTo(8));
    }

    /**
     * Issue 25 item 5: an allowance that keeps no request but some tokens (one request left of a request limit)
     * writes its flush; a hold row always holds a positive amount.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aFlushKeepingNoRequestButSomeTokensIsWritten(Supplier<Database> db) {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        long key = keyWith(repository, limit(Metric.REQUESTS, Period.TOTAL, 8), limit(Metric.TOKENS, Period.TOTAL, 1_000_000));
        QuotaGate gate = gate(repository);
        QuotaSubject subject = subject(repository, key, Set.of());
        gate.settle(gate.reserve(subject, 100), true, 40);

        gate.flushAllowances(false);

        assertThat(row(repository, key, Metric.REQUESTS).getUsed()).isEqualTo(1);
        assertThat(row(repository, key, Metric.REQUESTS).getReserved()).isZero();
        assertThat(row(repository, key, Metric.TOKENS).getUsed()).isEqualTo(40);
        assertThat(row(repository, key, Metric.TOKENS).getReserved()).isPositive();
        assertThat(holdAmounts(TestDatabases.databaseOf(repository), key)).isNotEmpty().allSatisfy(n -> assertThat(n).isPositive());
        gate.flushAllowances(true);
        assertThat(row(repository, key, Metric.TOKENS).getReserved()).isZero();
        assertThat(holdAmounts(TestDatabases.databaseOf(repository), key)).isEmpty();
    }

    private static List<Long> holdAmounts(Database db, long key) {
        return db.inTransaction(em -> em.createNativeQuery("select h.amount from quota_holds h join quotas q on"
                + " q.id = h.quota_id where q.owner_type = 'key' and q.owner_id = ?1").setParameter(1, key)
                .getResultList().stream().map(n -> ((Number) n).longValue()).toList());
    }

    private static List<Object> inParallel(Callable<Object> task) throws Exception {
        return QuotaConcurrencyTest.inParallel(THREADS, task);
    }
}
