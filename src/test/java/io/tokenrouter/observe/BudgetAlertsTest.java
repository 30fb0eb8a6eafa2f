package io.tokenrouter.observe;

import io.tokenrouter.store.Metric;
import io.tokenrouter.store.Period;
import io.tokenrouter.store.OwnerType;
import io.tokenrouter.events.EventLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.quota.QuotaGate;
import io.tokenrouter.quota.QuotaSubject;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.QuotaRepository.Amounts;
import io.tokenrouter.store.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Budget alerts at 50, 80 and 100 %: each once per budget and window, however many nodes look at once. */
class BudgetAlertsTest {

    private static final AtomicLong OWNER_IDS = new AtomicLong(700_000);
    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    @TempDir
    static Path home;

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    /** What one node announced: events and webhook posts, as (threshold, text). */
    private static final class Node extends BudgetAlerts {
        final List<String> sent = new CopyOnWriteArrayList<>();

        Node(QuotaRepository quotas) {
            this.budgets = TestDatabases.budgetAlerts(TestDatabases.databaseOf(quotas));
            this.settings = GatewaySettings.load(Map.of("tokenrouter.home", home.toString()), Map.of());
            this.events = new EventLog(null, null) {
                @Override
                public void info(String category, String actor, String message) {
                    sent.add("event " + message);
                }

                @Override
                public void warn(String category, String actor, String message) {
                    sent.add("event " + message);
                }
            };
            this.webhook = new AlertWebhook() {
                @Override
                public void post(String event, Map<String, Object> fields, String text) {
                    sent.add("webhook " + event + " " + fields.get("threshold") + " " + fields.get("spent") + "/"
                            + fields.get("budget") + " " + fields.get("period"));
                }
            };
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void eachThresholdFiresOnceAcrossNodes(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        Budgeted budgeted = budget(repository, Period.MONTH, 10_000_000);
        long key = budgeted.key();
        QuotaGate gate = budgeted.gate();
        QuotaSubject subject = budgeted.subject();
        Node a = new Node(repository);
        Node b = new Node(repository);

        spend(gate, subject, 4_000_000);
        inParallel(a, b);
        assertThat(a.sent).isEmpty();
        assertThat(b.sent).isEmpty();

        spend(gate, subject, 4_500_000); // $8.50 of $10: past 50 and 80 % at once
        inParallel(a, b);
        inParallel(a, b);
        List<String> all = Stream.concat(a.sent.stream(), b.sent.stream()).toList();
        assertThat(all).filteredOn(s -> s.startsWith("webhook")).containsExactlyInAnyOrder(
                "webhook budget_threshold 50 8.5/10 month", "webhook budget_threshold 80 8.5/10 month");
        assertThat(all).filteredOn(s -> s.startsWith("event")).hasSize(2)
                .anySatisfy(s -> assertThat(s).contains("monthly budget of key").contains("has reached 80 %: $8.50 of $10.00 spent"));

        // a large request refused while $1.50 is left is that request's refusal, not a spent budget
        refuse(gate, subject, 2_000_000);
        inParallel(a, b);
        all = Stream.concat(a.sent.stream(), b.sent.stream()).toList();
        assertThat(all).filteredOn(s -> s.startsWith("webhook")).hasSize(2);

        // a budget is never spent past its limit: 100 % fires when it refuses a request with less than a tenth left
        spend(gate, subject, 700_000); // $9.20
        refuse(gate, subject, 1_000_000);
        inParallel(a, b);
        all = Stream.concat(a.sent.stream(), b.sent.stream()).toList();
        assertThat(all).filteredOn(s -> s.startsWith("webhook")).hasSize(3).contains("webhook budget_threshold 100 9.2/10 month");
        assertThat(all).anySatisfy(s -> assertThat(s).contains("is spent: it refused a request"));

        // a reset starts the budget afresh, its alerts too
        gate.flushAllowances(true);
        repository.resetOwner(OwnerType.KEY, key);
        spend(gate, subject, 5_000_000);
        inParallel(a, b);
        all = Stream.concat(a.sent.stream(), b.sent.stream()).toList();
        assertThat(all).filteredOn(s -> s.startsWith("webhook")).hasSize(4).contains("webhook budget_threshold 50 5/10 month");
    }

    /** A threshold reached in a window's last seconds is still told, for that window, after the window ended. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aThresholdReachedAsTheWindowEndsIsStillTold(Supplier<Database> db) throws Exception {
        QuotaRepository repository = TestDatabases.quotas(db.get());
        Budgeted budgeted = budget(repository, Period.MINUTE, 1_000_000);
        QuotaGate gate = budgeted.gate();
        QuotaSubject subject = budgeted.subject();
        Node a = new Node(repository);

        spend(gate, subject, 600_000);
        Instant windowEnd = Period.MINUTE.windowEnd(Instant.now());
        a.check(windowEnd.plusSeconds(5)); // the next minute's first look
        assertThat(a.sent).filteredOn(s -> s.startsWith("webhook")).containsExactly("webhook budget_threshold 50 0.6/1 minute");
        a.check(windowEnd.plusSeconds(120)); // long after: nothing more
        assertThat(a.sent).filteredOn(s -> s.startsWith("webhook")).hasSize(1);
    }

    @Test
    void reachedIsExactForHugeAmounts() {
        assertThat(BudgetAlerts.reached(500, 1000, 50)).isTrue();
        assertThat(BudgetAlerts.reached(499, 1000, 50)).isFalse();
        assertThat(BudgetAlerts.reached(Long.MAX_VALUE, Long.MAX_VALUE, 100)).isTrue();
        assertThat(BudgetAlerts.reached(Long.MAX_VALUE - 1, Long.MAX_VALUE, 100)).isFalse();
    }

    /** A key with a cost budget, the gate that enforces it and the key as a request's subject. */
    private record Budgeted(long key, QuotaGate gate, QuotaSubject subject) {
    }

    private static Budgeted budget(QuotaRepository repository, Period period, long micros) {
        long key = OWNER_IDS.incrementAndGet();
        repository.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.COST, period, micros)));
        QuotaGate gate = new QuotaGate(repository, TestDatabases.node(TestDatabases.databaseOf(repository)));
        QuotaSubject subject = new QuotaSubject(List.of(key), Map.of(key, "k"), null, null,
                repository.findByOwner(OwnerType.KEY, key).stream().map(Quota::getId).toList());
        return new Budgeted(key, gate, subject);
    }

    private static void refuse(QuotaGate gate, QuotaSubject subject, long micros) {
        assertThatThrownBy(() -> gate.reserve(subject, new Amounts(1, 10, micros)))
                .isInstanceOfSatisfying(io.tokenrouter.api.GatewayException.class, e -> assertThat(e.status()).isEqualTo(429));
    }

    private static void spend(QuotaGate gate, QuotaSubject subject, long micros) {
        Reservation r = gate.reserve(subject, new Amounts(1, 10, micros));
        gate.settle(r, true, new Amounts(0, 10, micros));
        gate.flushAllowances(true);
    }

    /** Both nodes look at the same instant. */
    private static void inParallel(Node a, Node b) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            Instant now = Instant.now();
            Future<?> one = pool.submit(() -> {
                start.await();
                a.check(now);
                return null;
            });
            Future<?> two = pool.submit(() -> {
                start.await();
                b.check(now);
                return null;
            });
            start.countDown();
            one.get();
            two.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
