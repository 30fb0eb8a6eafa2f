package io.tokenrouter.quota;

import io.tokenrouter.store.Period;
import io.tokenrouter.store.Metric;
import io.tokenrouter.store.OwnerType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reservations that can no longer settle are given back (issue 8 item 4), amounts cannot wrap a counter
 * (item 1), on H2 and on a real PostgreSQL.
 */
class QuotaHoldsTest {

    private static final AtomicLong OWNER_IDS = new AtomicLong(50_000);
    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    private record Fixture(Database db, QuotaRepository quotas, long key, QuotaSubject subject) {
        Quota row(Metric metric) {
            return quotas.findByOwner(OwnerType.KEY, key).stream().filter(q -> q.getMetric() == metric)
                    .findFirst().orElseThrow();
        }
    }

    private static Fixture fixture(Database db, long requests, long tokens) {
        QuotaRepository quotas = TestDatabases.quotas(db);
        long key = OWNER_IDS.incrementAndGet();
        quotas.replaceForOwner(OwnerType.KEY, key, List.of(new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.TOTAL, requests),
                new Quota(OwnerType.KEY, key, Metric.TOKENS, Period.TOTAL, tokens)));
        List<Long> ids = quotas.findByOwner(OwnerType.KEY, key).stream().map(Quota::getId).toList();
        return new Fixture(db, quotas, key, new QuotaSubject(List.of(key), Map.of(key, "k"), null, null, ids));
    }

    private static NodeRegistry liveNode(Database db, Instant now) {
        NodeRegistry node = TestDatabases.node(db);
        node.heartbeat(now);
        return node;
    }

    private static HoldReclaimer reclaimer(QuotaGate gate, NodeRegistry node, Database db, Instant now) {
        return new HoldReclaimer(gate, node, TestDatabases.jobLocks(db), new Scheduler(), Clock.fixed(now, ZoneOffset.UTC));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aHugeReservationIsRefusedAndNothingWraps(Supplier<Database> db) {
        Fixture f = fixture(db.get(), 100, 1000);
        QuotaGate gate = new QuotaGate(f.quotas(), liveNode(f.db(), Instant.now()));

        assertThatThrownBy(() -> gate.reserve(f.subject(), Long.MAX_VALUE))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(429));
        assertThatThrownBy(() -> gate.reserve(f.subject(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> gate.reserve(f.subject(), -5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(f.row(Metric.TOKENS).getReserved()).isZero();
        assertThat(f.row(Metric.REQUESTS).getReserved()).isZero();
        gate.settle(gate.reserve(f.subject(), 1000), true, 10);
        gate.flushAllowances(true);
        assertThat(f.row(Metric.TOKENS).getUsed()).isEqualTo(10);
    }

    /** Issue 24: a reservation larger than what is left is refused saying what is left and how to ask for less. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aReservationLargerThanWhatIsLeftSaysWhatIsLeftAndHowToAskForLess(Supplier<Database> db) {
        Fixture f = fixture(db.get(), 100, 100);
        QuotaGate gate = new QuotaGate(f.quotas(), liveNode(f.db(), Instant.now()));

        assertThatThrownBy(() -> gate.reserve(f.subject(), 4098)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.getMessage()).startsWith("The total token quota of key 'k' has 100 tokens left (0 of 100 tokens used")
                    .contains("this request may use up to 4098").contains("set max_tokens").doesNotContain("exhausted");
            assertThat(e.headers()).containsEntry("x-ratelimit-remaining-tokens", "100");
        });
        gate.settle(gate.reserve(f.subject(), 100), true, 100);
        gate.flushAllowances(true);
        assertThatThrownBy(() -> gate.reserve(f.subject(), 1)).isInstanceOfSatisfying(GatewayException.class, e ->
                assertThat(e.getMessage()).contains("is exhausted: 100 of 100 tokens used"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void theSchemaRefusesNegativeCounters(Supplier<Database> db) throws SQLException {
        Fixture f = fixture(db.get(), 100, 1000);
        try (Connection c = f.db().dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update quotas set reserved = reserved - 1 where owner_id = " + f.key()))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.executeUpdate("update quotas set used = -1 where owner_id = " + f.key()))
                    .isInstanceOf(SQLException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void holdsOfANodeThatStoppedHeartbeatingAreGivenBackAndItsLateSettlementOnlyCounts(Supplier<Database> db) {
        Fixture f = fixture(db.get(), 3, 10_000);
        Instant now = Instant.now();
        NodeRegistry crashed = liveNode(f.db(), now.minusSeconds(600));
        QuotaGate crashedGate = new QuotaGate(f.quotas(), crashed);
        Reservation lost = crashedGate.reserve(f.subject(), 4000);
        crashedGate.reserve(f.subject(), 4000);
        assertThat(f.row(Metric.TOKENS).getReserved()).isEqualTo(8000);
        assertThatThrownBy(() -> crashedGate.reserve(f.subject(), 4000)).isInstanceOf(GatewayException.class);

        NodeRegistry survivor = liveNode(f.db(), now);
        QuotaGate survivorGate = new QuotaGate(f.quotas(), survivor);
        Reservation inFlight = survivorGate.reserve(f.subject(), 1000);
        int reclaimed = reclaimer(survivorGate, survivor, f.db(), now).reclaim();

        assertThat(reclaimed).isEqualTo(2);
        assertThat(f.row(Metric.TOKENS).getReserved()).isEqualTo(1000);
        assertThat(f.row(Metric.REQUESTS).getReserved()).isEqualTo(1);
        // a request of the "crashed" node that still finishes is charged, but gives nothing back twice
        crashedGate.settle(lost, true, 700);
        survivorGate.settle(inFlight, true, 300);
        crashedGate.flushAllowances(true);
        survivorGate.flushAllowances(true);
        assertThat(f.row(Metric.TOKENS).getReserved()).isZero();
        assertThat(f.row(Metric.TOKENS).getUsed()).isEqualTo(1000);
        assertThat(f.row(Metric.REQUESTS).getReserved()).isZero();
        assertThat(f.row(Metric.REQUESTS).getUsed()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aHoldWhoseSettlementFailedIsGivenBackByItsOwnNode(Supplier<Database> db) {
        Fixture f = fixture(db.get(), 10, 10_000);
        Instant now = Instant.now();
        NodeRegistry node = liveNode(f.db(), now);
        QuotaGate gate = new QuotaGate(f.quotas(), node);
        Reservation leaked = gate.reserve(f.subject(), 2000);
        Reservation young = gate.reserve(f.subject(), 500);
        // the same node after its settlement failed: the hold is no longer owned by any request in flight
        QuotaGate restarted = new QuotaGate(f.quotas(), node);
        Reservation stillLive = restarted.reserve(f.subject(), 100);

        assertThat(reclaimer(restarted, node, f.db(), now.plus(HoldReclaimer.ORPHAN_AGE).plusSeconds(1)).reclaim())
                .isEqualTo(2);
        restarted.flushAllowances(true);
        assertThat(f.row(Metric.TOKENS).getReserved()).isEqualTo(100);
        restarted.settle(stillLive, true, 50);
        gate.settle(leaked, true, 10);
        gate.settle(young, true, 20);
        restarted.flushAllowances(true);
        gate.flushAllowances(true);
        assertThat(f.row(Metric.TOKENS).getReserved()).isZero();
        assertThat(f.row(Metric.TOKENS).getUsed()).isEqualTo(80);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void holdsOfLiveRequestsAreNeverReclaimed(Supplier<Database> db) {
        Fixture f = fixture(db.get(), 10, 10_000);
        Instant now = Instant.now();
        NodeRegistry node = liveNode(f.db(), now);
        QuotaGate gate = new QuotaGate(f.quotas(), node);
        Reservation r = gate.reserve(f.subject(), 2000);

        assertThat(reclaimer(gate, node, f.db(), now.plusSeconds(3600)).reclaim()).isZero();
        gate.flushAllowances(true);
        assertThat(f.row(Metric.TOKENS).getReserved()).isEqualTo(2000);
        gate.settle(r, true, 5);
        gate.flushAllowances(true);
        assertThat(f.row(Metric.TOKENS).getReserved()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aResetClearsUsageAndEveryReservationNoLiveRequestHolds(Supplier<Database> db) throws SQLException {
        Fixture f = fixture(db.get(), 10, 10_000);
        NodeRegistry node = liveNode(f.db(), Instant.now());
        QuotaGate gate = new QuotaGate(f.quotas(), node);
        gate.settle(gate.reserve(f.subject(), 3000), true, 2500);
        Reservation inFlight = gate.reserve(f.subject(), 1200);
        gate.flushAllowances(true); // as the quota service does before a reset
        try (Connection c = f.db().dataSource().getConnection(); Statement s = c.createStatement()) {
            // reserved amounts nobody holds (written before holds existed, or by a bug)
            s.executeUpdate("update quotas set reserved = reserved + 777 where owner_id = " + f.key());
        }

        f.quotas().resetOwner(OwnerType.KEY, f.key());

        assertThat(f.row(Metric.TOKENS).getUsed()).isZero();
        assertThat(f.row(Metric.TOKENS).getReserved()).isEqualTo(1200);
        assertThat(f.row(Metric.REQUESTS).getReserved()).isEqualTo(1);
        gate.settle(inFlight, true, 100);
        gate.flushAllowances(true);
        assertThat(f.row(Metric.TOKENS).getReserved()).isZero();
        assertThat(f.row(Metric.TOKENS).getUsed()).isEqualTo(100);
    }
}
