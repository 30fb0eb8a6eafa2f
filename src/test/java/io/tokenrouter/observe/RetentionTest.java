package io.tokenrouter.observe;

import io.tokenrouter.events.EventLog;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.ConversationRepository.Turn;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.RollupDelta;
import io.tokenrouter.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retention against real databases: with log_retention 30 days, rollup_retention 90 days,
 * conversation_retention 14 days and event_retention 60 days, what is older goes and what is newer stays;
 * the request log goes in batches of {@link Retention#BATCH}. The tests that need more than a batch of rows
 * run on PostgreSQL, since H2 2.4 deletes a batch in quadratic time (see the disabled H2 test).
 */
class RetentionTest {

    private static final LogFilter EVERYTHING = new LogFilter(null, null, null, null, null, null, null, null, null, null);

    private static final List<Database> OPENED = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    Path home;

    private final Instant now = Instant.now();
    private Database database;
    private CountingLog log;
    private ConversationRepository conversations;
    private EventRepository events;
    private Retention retention;

    /** Counts the delete batches: each call's limit and what it deleted. */
    static class CountingLog extends RequestLogRepository {
        final List<int[]> deletes = new ArrayList<>();

        @Override
        public int deleteOlderThan(Instant before, int batch) {
            int n = super.deleteOlderThan(before, batch);
            deletes.add(new int[] {batch, n});
            return n;
        }
    }

    /** Runs "later" work at once, so the clean-up event is stored before run() returns. */
    static class InlineScheduler extends Scheduler {
        @Override
        public boolean later(String name, Runnable task) {
            task.run();
            return true;
        }
    }

    static Stream<Named<Supplier<Database>>> databases() {
        return Stream.of(Named.<Supplier<Database>>of("H2", TestDatabases::h2),
                Named.<Supplier<Database>>of("PostgreSQL", TestDatabases::postgres));
    }

    @AfterAll
    static void closeAll() {
        OPENED.forEach(TestDatabases::close);
    }

    private void open(Supplier<Database> factory) {
        database = factory.get();
        OPENED.add(database);
        log = TestDatabases.requestLog(database, new CountingLog());
        conversations = TestDatabases.conversations(database);
        events = TestDatabases.events(database);
        retention = new Retention();
        retention.settings = GatewaySettings.load(Map.of("tokenrouter.home", home.toString(),
                "tokenrouter.log_retention", "30d", "tokenrouter.rollup_retention", "90d",
                "tokenrouter.conversation_retention", "14d", "tokenrouter.event_retention", "60d"), Map.of());
        retention.runtimeSettings = io.tokenrouter.runtime.TestRuntimeSettings.fromFile(retention.settings);
        retention.log = log;
        retention.conversations = conversations;
        retention.events = events;
        retention.responseOwners = TestDatabases.responseOwners(database);
        retention.eventLog = new EventLog(events, new InlineScheduler());
    }

    private static LogRow row(String requestId, Instant at) {
        return new LogRow(requestId, at, 1L, "alice", null, "openai", "gpt-4o", "gpt-4o", "chat.completions", 200, false,
                "completed", 10, 5, 0, 0, false, 100, null, null, "10.0.0.1", "curl/8.5.0", "curl", null, null, null, 1);
    }

    private void insertLogRows(String prefix, int count, Instant at) {
        List<LogRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(row(prefix + i, at.plusMillis(i)));
        }
        log.write(rows, List.of());
    }

    private void insertRollup(int bucketSeconds, Instant at) {
        Instant start = at.truncatedTo(bucketSeconds == 60 ? ChronoUnit.MINUTES : ChronoUnit.HOURS);
        RollupDelta delta = new RollupDelta(bucketSeconds, "all", "*", start);
        delta.add(row("rollup", start));
        log.write(List.of(), List.of(delta));
    }

    private static Turn turn(String threadId, Instant at) {
        return new Turn(0, threadId, "req-" + threadId, null, at, 1L, "alice", "gpt-4o", "chat.completions",
                "{\"messages\":[]}", "hello", null, false);
    }

    @Test
    void deletesOldLogRowsInBatchesAndKeepsNewerOnes() {
        open(TestDatabases::postgres);
        Instant old = now.minus(Duration.ofDays(31));
        insertLogRows("old-a-", 6_000, old);
        insertLogRows("old-b-", 6_000, old.plusSeconds(60));
        insertLogRows("new-", 10, now.minus(Duration.ofDays(29)));

        long deleted = retention.run(now);

        assertThat(deleted).isEqualTo(12_000);
        assertThat(log.deletes).extracting(d -> d[0]).containsOnly(Retention.BATCH);
        assertThat(log.deletes).extracting(d -> d[1]).containsExactly(5_000, 5_000, 2_000);
        var remaining = log.search(EVERYTHING, 0, 100);
        assertThat(remaining.total()).isEqualTo(10);
        assertThat(remaining.items()).extracting(LogRow::requestId).allMatch(id -> id.startsWith("new-")).hasSize(10);
        assertThat(events.search(null, "cleanup", null, 0, 10).items()).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo(
                        "Retention removed 12000 log rows, 0 aggregates, 0 conversation turns, 0 events"));
    }

    @Test
    void anExactMultipleOfTheBatchIsDeletedCompletelyAndNothingNewIsTouched() {
        open(TestDatabases::postgres);
        insertLogRows("old-", Retention.BATCH, now.minus(Duration.ofDays(45)));
        insertLogRows("new-", 3, now.minus(Duration.ofDays(1)));

        assertThat(retention.run(now)).isEqualTo(Retention.BATCH);
        assertThat(log.deletes).extracting(d -> d[1]).containsExactly(5_000, 0);
        assertThat(retention.run(now)).isZero();
        assertThat(log.search(EVERYTHING, 0, 10).total()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void deletesOldLogRowsOfLessThanABatchInOneGo(Supplier<Database> db) {
        open(db);
        insertLogRows("old-", 300, now.minus(Duration.ofDays(30)).minusSeconds(1));
        insertLogRows("new-", 10, now.minus(Duration.ofDays(30)).plusSeconds(60));

        assertThat(retention.run(now)).isEqualTo(300);
        assertThat(log.deletes).extracting(d -> d[1]).containsExactly(300);
        assertThat(log.search(EVERYTHING, 0, 100).items()).extracting(LogRow::requestId)
                .hasSize(10).allMatch(id -> id.startsWith("new-"));
    }

    @Test
    void deletesTwelveThousandOldRowsOnH2InSeconds() {
        open(TestDatabases::h2);
        insertLogRows("old-", 12_000, now.minus(Duration.ofDays(31)));
        insertLogRows("new-", 10, now.minus(Duration.ofDays(29)));

        long started = System.nanoTime();
        long deleted = retention.run(now);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(deleted).isEqualTo(12_000);
        assertThat(log.search(EVERYTHING, 0, 100).total()).isEqualTo(10);
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void minuteAggregatesLiveAWeekAndHourAggregatesUntilRollupRetention(Supplier<Database> db) {
        open(db);
        insertRollup(60, now.minus(Duration.ofDays(8)));
        insertRollup(60, now.minus(Duration.ofDays(6)));
        insertRollup(3600, now.minus(Duration.ofDays(8)));
        insertRollup(3600, now.minus(Duration.ofDays(89)));
        insertRollup(3600, now.minus(Duration.ofDays(91)));

        retention.run(now);

        Instant everFrom = Instant.EPOCH;
        Instant everTo = now.plus(Duration.ofDays(1));
        assertThat(log.rollups(60, "all", everFrom, everTo)).extracting(d -> d.bucketStart)
                .containsExactly(now.minus(Duration.ofDays(6)).truncatedTo(ChronoUnit.MINUTES));
        assertThat(log.rollups(3600, "all", everFrom, everTo)).extracting(d -> d.bucketStart)
                .containsExactlyInAnyOrder(now.minus(Duration.ofDays(8)).truncatedTo(ChronoUnit.HOURS),
                        now.minus(Duration.ofDays(89)).truncatedTo(ChronoUnit.HOURS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void oldConversationsAndEventsAreDeletedAndNewerOnesKept(Supplier<Database> db) {
        open(db);
        conversations.store(turn("old-thread", now.minus(Duration.ofDays(15))));
        conversations.store(turn("new-thread", now.minus(Duration.ofDays(13))));
        events.store(now.minus(Duration.ofDays(61)), "info", "config", "admin", "old change");
        events.store(now.minus(Duration.ofDays(59)), "info", "config", "admin", "newer change");

        retention.run(now);

        assertThat(conversations.thread("old-thread")).isEmpty();
        assertThat(conversations.thread("new-thread")).singleElement()
                .satisfies(t -> assertThat(t.requestId()).isEqualTo("req-new-thread"));
        assertThat(events.search(null, "config", null, 0, 10).items()).extracting(EventRepository.Event::message)
                .containsExactly("newer change");
        assertThat(events.search(null, "cleanup", null, 0, 10).items()).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo(
                        "Retention removed 0 log rows, 0 aggregates, 1 conversation turns, 1 events"));
    }
}
