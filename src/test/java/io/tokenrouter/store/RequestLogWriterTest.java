package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.tokenrouter.testing.Waits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The log writer's inserts on real databases: one multi-row statement per batch on a connection the
 * writer keeps, ids in the rows' order, all or nothing, and on PostgreSQL a session that commits as the server
 * says, or without waiting for the disk when {@code usage_synchronous_commit} is off, reset before the
 * connection goes back to the pool.
 */
class RequestLogWriterTest {

    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();
    private static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    private static LogRow row(String requestId, String outcome) {
        return new LogRow(requestId, AT, 1L, "alice", 10L, "openai", "gpt-4o", "gpt-4o-2024-08-06", "chat.completions",
                200, false, outcome, 100, 20, 0, 0, false, 250, 40L, 80.0, "10.0.0.1", "OpenAI/Python 1.51.0", "sdk",
                null, null, "up-" + requestId, 450, null);
    }

    private static List<LogRow> rows(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> row(prefix + i, "completed")).toList();
    }

    /** The request id and node of the row with {@code id}, read on a connection of the test's own. */
    private static String stored(Database database, long id) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("select request_id, node_id from request_log where id = ?")) {
            s.setLong(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) + "@" + r.getString(2) : null;
            }
        }
    }

    private static long count(Database database, String prefix) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("select count(*) from request_log where request_id like ?")) {
            s.setString(1, prefix + "%");
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBatchGoesInWithItsIdsInTheRowsOrder(Supplier<Database> factory) throws SQLException {
        Database database = factory.get();
        RequestLogRepository log = TestDatabases.requestLog(database);
        List<LogRow> batch = rows("order-", 7);

        long[] ids = log.insert(batch, "node-a");

        assertThat(ids).hasSize(7).doesNotHaveDuplicates().isSorted();
        for (int i = 0; i < ids.length; i++) {
            assertThat(stored(database, ids[i])).isEqualTo("order-" + i + "@node-a");
        }
        assertThat(log.insert(rows("later-", 2), "node-a")[0]).isGreaterThan(ids[6]);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void moreRowsThanOneStatementTakesGoInTogether(Supplier<Database> factory) throws SQLException {
        Database database = factory.get();
        RequestLogRepository log = TestDatabases.requestLog(database);
        int n = 2 * RequestLogSql.ROWS_PER_INSERT + 3;

        long[] ids = log.insert(rows("many-", n), "node-a");

        assertThat(ids).hasSize(n).doesNotHaveDuplicates().isSorted();
        assertThat(count(database, "many-")).isEqualTo(n);
        for (int i : new int[] {0, RequestLogSql.ROWS_PER_INSERT - 1, RequestLogSql.ROWS_PER_INSERT, n - 1}) {
            assertThat(stored(database, ids[i])).isEqualTo("many-" + i + "@node-a");
        }

        // a bad row in the last statement: the statements before it are rolled back with it
        List<LogRow> broken = new ArrayList<>(rows("torn-", n));
        broken.set(n - 1, row("torn-bad", "x".repeat(100)));
        assertThatThrownBy(() -> log.insert(broken, "node-a")).isInstanceOf(RuntimeException.class);
        assertThat(count(database, "torn-")).isZero();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFailedBatchStoresNothingAndTheNextOneGoesInOnAFreshConnection(Supplier<Database> factory) throws SQLException {
        Database database = factory.get();
        RequestLogRepository log = TestDatabases.requestLog(database);
        List<LogRow> batch = new ArrayList<>(rows("bad-", 5));
        batch.set(2, row("bad-2", "x".repeat(100))); // longer than the outcome column

        assertThatThrownBy(() -> log.insert(batch, "node-a")).isInstanceOf(RuntimeException.class);
        assertThat(count(database, "bad-")).isZero();

        long[] ids = log.insert(rows("good-", 3), "node-a");
        assertThat(count(database, "good-")).isEqualTo(3);
        assertThat(stored(database, ids[2])).isEqualTo("good-2@node-a");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theWriterKeepsOneConnectionWhileBusyAndGivesItBackWhenIdle(Supplier<Database> factory) throws SQLException {
        Database database = factory.get();
        RequestLogRepository log = TestDatabases.requestLog(database);
        var pool = ((HikariDataSource) database.dataSource()).getHikariPoolMXBean();

        log.insert(rows("kept-", 2), "node-a");
        log.insert(rows("kept-again-", 2), "node-a");
        assertThat(pool.getActiveConnections()).isEqualTo(1);

        log.releaseWriterConnection(Duration.ofHours(1)); // used just now: kept
        assertThat(pool.getActiveConnections()).isEqualTo(1);
        log.releaseWriterConnection(Duration.ZERO);
        assertThat(pool.getActiveConnections()).isZero();

        log.insert(rows("back-", 1), "node-a"); // takes one again
        assertThat(count(database, "back-")).isEqualTo(1);
        log.releaseWriterConnection(Duration.ZERO);
    }

    @Test
    void withoutUsageSynchronousCommitTheWriterCommitsWithoutWaitingForTheDiskAndResetsTheConnectionItGivesBack()
            throws SQLException {
        Database database = synchronousByDefault(
                OPENED.keep(TestDatabases.postgres(Map.of("tokenrouter.usage_synchronous_commit", "false"))));
        RequestLogRepository log = TestDatabases.requestLog(database);
        log.insert(rows("async-", 1), "node-a");

        assertThat(log.writerSessionSetting("synchronous_commit")).isEqualTo("off");
        assertThat(pooledSetting(database)).as("other connections keep the server's setting").isEqualTo("on");

        log.releaseWriterConnection(Duration.ZERO);
        HikariDataSource pool = (HikariDataSource) database.dataSource();
        // every connection the pool holds now, the writer's among them, commits as the server says
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < pool.getHikariPoolMXBean().getTotalConnections(); i++) {
                all.add(pool.getConnection());
            }
            for (Connection c : all) {
                assertThat(show(c, "synchronous_commit")).isEqualTo("on");
            }
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
    }

    @Test
    void byDefaultTheWriterWaitsForTheDiskEvenOnAServerThatDoesNot() throws SQLException {
        Database database = OPENED.keep(TestDatabases.postgres());
        RequestLogRepository log = TestDatabases.requestLog(database);
        log.insert(rows("sync-", 1), "node-a");

        assertThat(pooledSetting(database)).as("the embedded server's default").isEqualTo("off");
        assertThat(log.writerSessionSetting("synchronous_commit")).isEqualTo("on");
        assertThat(count(database, "sync-")).isEqualTo(1);
        log.releaseWriterConnection(Duration.ZERO);
    }

    /**
     * Makes the database's sessions commit synchronously, as a production server does (the embedded test
     * server is set up for speed, without), and renews the pool's connections so they start that way.
     */
    private static Database synchronousByDefault(Database database) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            String name;
            try (ResultSet r = s.executeQuery("select current_database()")) {
                r.next();
                name = r.getString(1);
            }
            s.execute("alter database \"" + name + "\" set synchronous_commit = on");
        }
        // the pool fills in the background at start: once it is full, every connection made after is new
        HikariDataSource pool = (HikariDataSource) database.dataSource();
        Waits.await("the pool filled", Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> pool.getHikariPoolMXBean().getTotalConnections() >= pool.getMaximumPoolSize());
        pool.getHikariPoolMXBean().softEvictConnections();
        assertThat(pooledSetting(database)).isEqualTo("on");
        return database;
    }

    private static String pooledSetting(Database database) throws SQLException {
        try (Connection c = database.dataSource().getConnection()) {
            return show(c, "synchronous_commit");
        }
    }

    private static String show(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("show " + name)) {
            r.next();
            return r.getString(1);
        }
    }
}
