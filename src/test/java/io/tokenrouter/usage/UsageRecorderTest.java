package io.tokenrouter.usage;

import io.tokenrouter.store.Outcome;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.api.Usage;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.RollupDelta;
import io.tokenrouter.store.TestDatabases;
import io.tokenrouter.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage recorder against a real (H2) database: records are journaled and stored in batches off the
 * caller's thread, drained completely at shutdown, dropped (and counted) rather than blocking when the queue is
 * full, and stored exactly once when the database fails for a moment, and after a restart that finds rows in
 * the journal, some of them stored before. The stage {@code record} answers completes once the record is
 * journaled, never waiting for the database.
 */
class UsageRecorderTest {

    private static final Instant BASE = Instant.parse("2026-03-10T10:00:00Z");

    @TempDir
    Path home;

    private Database database;
    private final Scheduler scheduler = new Scheduler();
    private final CountDownLatch gate = new CountDownLatch(1);

    @BeforeEach
    void open() {
        database = TestDatabases.h2();
    }

    @AfterEach
    void close() {
        gate.countDown();
        TestDatabases.close(database);
    }

    /** A request log whose writes can be held at a gate, fail on purpose, and are counted. */
    static class ScriptedLog extends RequestLogRepository {
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate;
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger failuresLeft = new AtomicInteger();

        @Override
        public long[] insertNew(List<LogRow> rows, String nodeId) {
            if (scripted(rows, nodeId)) {
                idempotentBatches.incrementAndGet();
                long[] ids = super.insertNew(rows, nodeId);
                batchSizes.add(rows.size());
                return ids;
            }
            throw new AssertionError("unreachable");
        }

        final AtomicInteger idempotentBatches = new AtomicInteger();

        @Override
        public long[] insert(List<LogRow> rows, String nodeId) {
            scripted(rows, nodeId);
            long[] ids = super.insert(rows, nodeId);
            batchSizes.add(rows.size());
            return ids;
        }

        /** Waits at the gate, then fails as scripted (having written a poisoned batch that rolls back whole). */
        private boolean scripted(List<LogRow> rows, String nodeId) {
            entered.countDown();
            if (gate != null) {
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failuresLeft.getAndDecrement() > 0) {
                // fails inside the transaction, after the real rows went in: a row too long for its column
                List<LogRow> poisoned = new ArrayList<>(rows);
                LogRow first = rows.get(0);
                poisoned.add(new LogRow("poisoned", first.createdAt(), null, null, null, null, null, null, null, 500,
                        false, "x".repeat(100), 0, 0, 0, 0, false, 0, null, null, null, null, null, null, null, null, 0));
                super.insert(poisoned, nodeId);
                throw new AssertionError("the poisoned write was expected to fail");
            }
            return true;
        }
    }

    /** Prices whose first load waits at a gate: it holds the journal writer in its first batch. */
    static class GatedPrices extends io.tokenrouter.store.PriceRepository {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final io.tokenrouter.store.PriceRepository real;

        GatedPrices(io.tokenrouter.store.PriceRepository real) {
            this.real = real;
        }

        @Override
        public List<io.tokenrouter.store.PriceRepository.Price> findAll() {
            entered.countDown();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.findAll();
        }
    }

    private UsageRecorder recorder(RequestLogRepository log, int capacity, GatedPrices prices) {
        UsageRecorder recorder = recorder(log, capacity, false);
        recorder.prices = prices;
        recorder.start();
        return recorder;
    }

    private UsageRecorder recorder(RequestLogRepository log, int capacity) {
        return recorder(log, capacity, true);
    }

    private UsageRecorder recorder(RequestLogRepository log, int capacity, boolean start) {
        UsageRecorder recorder = new UsageRecorder();
        recorder.settings = GatewaySettings.load(Map.of("tokenrouter.home", home.toString(),
                "tokenrouter.usage_queue_capacity", String.valueOf(capacity)), Map.of());
        recorder.log = log;
        recorder.prices = TestDatabases.prices(database);
        recorder.database = database;
        recorder.scheduler = scheduler;
        recorder.node = TestDatabases.node(database);
        recorder.locks = TestDatabases.jobLocks(database);
        if (start) {
            recorder.start();
        }
        return recorder;
    }

    /** A successful chat request; gpt-4o-2024-08-06 is billed at the seeded gpt-4o price: 450 micros. */
    private static UsageRecord record(int i) {
        return new UsageRecord("req-" + i, BASE.plusSeconds(60L * (i % 10) + i % 60), 1L, "alice", 10L, "research",
                "openai", "gpt-4o", "gpt-4o-2024-08-06", "chat.completions", 200, false,
                new Usage(100, 20, 0, 0, false), 250, 40L, Outcome.OK, "10.0.0." + (i % 4), "OpenAI/Python 1.51.0",
                null, null, null);
    }

    private long storedRows(RequestLogRepository log) {
        return log.search(new LogFilter(null, null, null, null, null, null, null, null, null, null), 0, 1).total();
    }

    private static long sum(List<RollupDelta> rollups) {
        return rollups.stream().mapToLong(d -> d.requests).sum();
    }

    @Test
    void twoThousandRecordsAreStoredInBatchesAndAllDrainedAtShutdown() {
        ScriptedLog log = TestDatabases.requestLog(database, new ScriptedLog());
        log.gate = gate;
        UsageRecorder recorder = recorder(log, 5_000);

        for (int i = 0; i < 2_000; i++) {
            recorder.record(record(i));
        }
        gate.countDown();
        recorder.drain();

        assertThat(storedRows(log)).isEqualTo(2_000);
        assertThat(recorder.written()).isEqualTo(2_000);
        assertThat(recorder.dropped()).isZero();
        assertThat(recorder.queued()).isZero();
        // the database was held while everything was journaled: batches of at most 500
        assertThat(log.batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 500)).hasSizeGreaterThanOrEqualTo(4);
        assertThat(log.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2_000);

        List<RollupDelta> minutes = log.rollups(60, "all", BASE, BASE.plus(Duration.ofHours(1)));
        assertThat(minutes).hasSize(10).allSatisfy(d -> assertThat(d.requests).isEqualTo(200));
        assertThat(sum(minutes)).isEqualTo(2_000);
        List<RollupDelta> hours = log.rollups(3600, "all", BASE, BASE.plus(Duration.ofHours(1)));
        assertThat(hours).singleElement().satisfies(d -> {
            assertThat(d.requests).isEqualTo(2_000);
            assertThat(d.promptTokens).isEqualTo(200_000);
            assertThat(d.completionTokens).isEqualTo(40_000);
            assertThat(d.costMicros).isEqualTo(2_000 * 450L);
        });
        assertThat(sum(log.rollups(60, "ip", BASE, BASE.plus(Duration.ofHours(1))))).isEqualTo(2_000);
    }

    @Test
    void aFullQueueDropsAndCountsRecordsWithoutBlockingTheCaller() throws InterruptedException {
        ScriptedLog log = TestDatabases.requestLog(database, new ScriptedLog());
        GatedPrices prices = new GatedPrices(TestDatabases.prices(database));
        UsageRecorder recorder = recorder(log, 10, prices);
        recorder.record(record(0));
        assertThat(prices.entered.await(5, TimeUnit.SECONDS)).as("the journal writer is stuck in its first batch").isTrue();

        long started = System.nanoTime();
        for (int i = 1; i <= 200; i++) {
            recorder.record(record(i));
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(elapsedMillis).as("recording 200 records with the writer stuck").isLessThan(2_000);
        // the stuck writer holds the first record, 10 wait in the queue, the rest are dropped
        assertThat(recorder.dropped()).isEqualTo(190);
        prices.gate.countDown();
        recorder.drain();
        assertThat(storedRows(log) + recorder.dropped()).isEqualTo(201);
        assertThat(recorder.written()).isEqualTo(storedRows(log));
    }

    @Test
    void aDatabaseBlipIsRetriedAndStoresEveryRecordExactlyOnce() {
        ScriptedLog log = TestDatabases.requestLog(database, new ScriptedLog());
        log.failuresLeft.set(2);
        UsageRecorder recorder = recorder(log, 1_000);

        for (int i = 0; i < 50; i++) {
            recorder.record(record(i));
        }
        recorder.drain();

        assertThat(recorder.writeFailures()).isEqualTo(2);
        assertThat(storedRows(log)).isEqualTo(50);
        assertThat(recorder.written()).isEqualTo(50);
        assertThat(recorder.dropped()).isZero();
        assertThat(sum(log.rollups(60, "all", BASE, BASE.plus(Duration.ofHours(1))))).isEqualTo(50);
        assertThat(sum(log.rollups(3600, "model", BASE, BASE.plus(Duration.ofHours(1))))).isEqualTo(50);
    }

    @Test
    void aRecordsStageCompletesOnceItIsJournaledWithoutWaitingForTheDatabase() throws Exception {
        ScriptedLog log = TestDatabases.requestLog(database, new ScriptedLog());
        log.gate = gate;
        UsageRecorder recorder = recorder(log, 100);
        CompletableFuture<Void> first = recorder.record(record(1)).toCompletableFuture();
        assertThat(log.entered.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> second = recorder.record(record(2)).toCompletableFuture();

        first.get(2, TimeUnit.SECONDS);
        second.get(2, TimeUnit.SECONDS);
        assertThat(storedRows(log)).as("the database write is still held").isZero();
        assertThat(String.join("\n", journalLines())).as("both are in the journal").contains("\"requestId\":\"req-1\"", "\"requestId\":\"req-2\"");
        assertThat(recorder.journalPending()).isEqualTo(2);
        gate.countDown();

        Waits.await("both rows stored", Duration.ofSeconds(10)).until(() -> storedRows(log) == 2);
        Waits.await("the journal emptied", Duration.ofSeconds(10)).until(() -> recorder.journalPending() == 0);
        recorder.drain();
        assertThat(recorder.answeredBeforeStored()).isZero();
        assertThat(journalLines()).as("stored rows leave the journal").isEmpty();
    }

    @Test
    void aFailingDatabaseHoldsNoAnswerAndItsRetriesStoreEachRowOnce() throws Exception {
        ScriptedLog log = TestDatabases.requestLog(database, new ScriptedLog());
        log.failuresLeft.set(3);
        UsageRecorder recorder = recorder(log, 100);

        recorder.record(record(1)).toCompletableFuture().get(2, TimeUnit.SECONDS);
        Waits.await("the row stored after three failures", Duration.ofSeconds(20)).until(() -> storedRows(log) == 1);
        recorder.drain();
        assertThat(storedRows(log)).isEqualTo(1);
        assertThat(recorder.writeFailures()).isEqualTo(3);
        assertThat(recorder.answeredBeforeStored()).isZero();
        assertThat(log.idempotentBatches).as("a retry stores only what is not in the log yet").hasPositiveValue();
    }

    /**
     * A node stopped (or killed) with rows in its journal, some of them stored before it died: the next start
     * stores the rest, each request once, adds only those to the aggregates, and empties the journal.
     */
    @Test
    void rowsLeftInTheJournalAreStoredAtTheNextStartEachOnce() throws Exception {
        RequestLogRepository log = TestDatabases.requestLog(database);
        UsageRecorder earlier = recorder(log, 100, false);
        List<Journal.Line> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add(new Journal.Line(earlier.toRow(record(i)), "research"));
        }
        try (Journal journal = Journal.open(home.resolve("journal"))) {
            journal.append(lines.subList(0, 12), false);
            journal.append(lines.subList(12, 30), true); // a second segment
        }
        log.insert(lines.subList(0, 10).stream().map(Journal.Line::row).toList(), "node-that-died"); // stored before it died
        assertThat(journalLines()).hasSize(30);

        UsageRecorder recorder = recorder(log, 100);
        Waits.await("the journal stored", Duration.ofSeconds(20)).until(() -> journalLines().isEmpty());
        recorder.drain();

        assertThat(storedRows(log)).isEqualTo(30);
        assertThat(recorder.written()).isEqualTo(20);
        assertThat(recorder.duplicatesSkipped()).isEqualTo(10);
        assertThat(sum(log.rollups(60, "all", BASE, BASE.plus(Duration.ofHours(1))))).as("only the rows stored now")
                .isEqualTo(20);
    }

    /**
     * Every line of every segment of the journal in the home; a segment the shipper removes between the listing and
     * its reading (all its rows stored) has none.
     */
    private List<String> journalLines() throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        try (var files = java.nio.file.Files.list(home.resolve("journal"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                try {
                    java.nio.file.Files.readAllLines(f).stream().filter(l -> !l.isBlank()).forEach(lines::add);
                } catch (java.nio.file.NoSuchFileException removed) {
                    // stored and removed since it was listed
                }
            }
        }
        return lines;
    }

    @Test
    void aDroppedRecordDoesNotHoldItsAnswer() throws Exception {
        ScriptedLog log = TestDatabases.requestLog(database, new ScriptedLog());
        GatedPrices prices = new GatedPrices(TestDatabases.prices(database));
        UsageRecorder recorder = recorder(log, 1, prices);
        recorder.record(record(0));
        assertThat(prices.entered.await(5, TimeUnit.SECONDS)).isTrue();
        recorder.record(record(1));

        assertThat(recorder.record(record(2))).as("the queue is full").isCompleted();
        assertThat(recorder.dropped()).isEqualTo(1);
        prices.gate.countDown();
        recorder.drain();
    }

    /**
     * A node killed after its rows were logged and before their aggregates were added: once its heartbeat
     * and its mark are older than the node timeout, another node adds them from the log, with team names,
     * exactly once, and flags the mark as taken over.
     */
    @Test
    void theRowsOfAGoneNodePastItsMarkAreAddedToTheAggregatesByAnotherNode() throws Exception {
        RequestLogRepository log = TestDatabases.requestLog(database);
        NodeRegistry dead = TestDatabases.node(database);
        dead.heartbeat(Instant.now().minusSeconds(600));
        log.openMark(dead.nodeId());
        UsageRecorder survivor = recorder(log, 100);
        List<LogRow> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(survivor.toRow(record(i)));
        }
        log.insert(rows, dead.nodeId()); // committed, then the node died before its aggregates
        try (var c = database.dataSource().getConnection(); var st = c.createStatement()) {
            st.executeUpdate("update rollup_marks set updated_at = timestamp with time zone '2026-01-01 00:00:00+00'"
                    + " where node_id = '" + dead.nodeId() + "'");
            st.executeUpdate("insert into teams (id, name, created_at) values (10, 'research', current_timestamp)");
        }
        assertThat(sum(log.rollups(60, "all", BASE, BASE.plus(Duration.ofHours(1))))).isZero();

        survivor.takeOverGoneNodes();
        survivor.takeOverGoneNodes(); // a second sweep finds nothing left

        assertThat(sum(log.rollups(60, "all", BASE, BASE.plus(Duration.ofHours(1))))).isEqualTo(30);
        assertThat(log.rollups(3600, "team", BASE, BASE.plus(Duration.ofHours(1)))).singleElement()
                .satisfies(d -> assertThat(d.dimValue).isEqualTo("research #10"));
        assertThat(log.mark(dead.nodeId())).hasValueSatisfying(m -> assertThat(m.takenOver()).isTrue());
        survivor.drain();
    }

    @Test
    void aBatchAddsToOneAggregatePerBucketAndValueInAnOrderThatDoesNotDependOnTheBatch() {
        List<LogRow> rows = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            // four minutes in each of two hours, two keys, two models, three addresses, every combination
            Instant at = BASE.plus(Duration.ofMinutes((i / 2) % 4 + 60L * (i % 2))).plusSeconds(i % 59);
            rows.add(new LogRow("r" + i, at, 1L + (i / 8) % 2, "key" + (i / 8) % 2, 7L, "openai",
                    "model-" + (i / 16) % 2, "model", "chat.completions", 200, false, "completed", 10, 5, 0, 0, false,
                    100 + i, null, null, "10.0.0." + i % 3, "curl/8.5.0", "curl", null, null, null, 1));
        }
        List<RollupDelta> deltas = Rollups.of(rows, i -> "team");
        List<LogRow> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new java.util.Random(13));
        List<RollupDelta> again = Rollups.of(shuffled, i -> "team");

        // all: 8 minutes + 2 hours; provider 8 + 2; model, key 16 + 4 each; team 8 + 2; ip 24 + 6
        assertThat(deltas).hasSize(10 + 10 + 20 + 20 + 10 + 30);
        assertThat(deltas.stream().filter(d -> d.dim.equals("all") && d.bucketSeconds == 3600))
                .extracting(d -> d.bucketStart).containsExactly(BASE, BASE.plus(Duration.ofHours(1)));
        for (String dim : Rollups.DIMENSIONS) {
            for (int seconds : new int[] {60, 3600}) {
                assertThat(deltas.stream().filter(d -> d.dim.equals(dim) && d.bucketSeconds == seconds)
                        .mapToLong(d -> d.requests).sum()).as(dim + " " + seconds).isEqualTo(240);
            }
        }
        assertThat(deltas.stream().filter(d -> d.dim.equals("key") && d.bucketSeconds == 60))
                .allSatisfy(d -> assertThat(d.dimId).isEqualTo(d.dimValue.endsWith("#1") ? 1L : 2L));
        // every node upserts in one order: by bucket size, dimension, value, then time
        java.util.function.Function<RollupDelta, String> aggregate =
                d -> d.bucketSeconds + "|" + d.dim + "|" + d.dimValue + "|" + d.bucketStart;
        assertThat(again).extracting(aggregate).containsExactlyElementsOf(deltas.stream().map(aggregate).toList());
        assertThat(deltas).isSortedAccordingTo(java.util.Comparator.<RollupDelta>comparingInt(d -> d.bucketSeconds)
                .thenComparing(d -> d.dim).thenComparing(d -> d.dimValue).thenComparing(d -> d.bucketStart));
    }
}
