package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.Session;

/**
 * The request log and its aggregates. The node's log writer inserts its rows with multi-row statements
 * on a connection of its own ({@link #insert}) and adds their deltas to the per-minute and per-hour
 * aggregates in a later transaction ({@link #addRollups}), with one upsert statement per bucket ({@code
 * INSERT … ON CONFLICT} on PostgreSQL, {@code MERGE} on H2) in one JDBC batch, so several nodes writing
 * the same bucket add up without a retry.
 */
@ApplicationScoped
public class RequestLogRepository {

    private static final Logger LOG = Logger.getLogger(RequestLogRepository.class.getName());

    private static final String INSERT = "insert into request_log (request_id, created_at, key_id, key_name, team_id,"
            + " provider, model, upstream_model, endpoint, status, stream, outcome, prompt_tokens, completion_tokens,"
            + " cached_tokens, reasoning_tokens, estimated, latency_ms, ttft_ms, tokens_per_second, client_ip, user_agent,"
            + " client_type, error_type, error_message, upstream_request_id, cost_micros, attempts, node_id)"
            + " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    private static final String ROW_COLUMNS = "request_id, created_at, key_id, key_name,"
            + " team_id, provider, model, upstream_model, endpoint, status, stream, outcome, prompt_tokens,"
            + " completion_tokens, cached_tokens, reasoning_tokens, estimated, latency_ms, ttft_ms,"
            + " tokens_per_second, client_ip, user_agent, client_type, error_type, error_message,"
            + " upstream_request_id, cost_micros, attempts";
    /** The aggregate's key, then its counters (added on conflict), each with its SQL type. */
    private static final String[][] KEY = {{"bucket_seconds", "integer"}, {"dim", "varchar(10)"},
            {"dim_value", "varchar(300)"}, {"bucket_start", "timestamp with time zone"}};
    private static final String[] COUNTERS = {"requests", "refusals", "errors", "prompt_tokens", "completion_tokens",
            "cost_micros", "latency_ms_sum", "ttft_ms_sum", "ttft_count", "tps_sum", "tps_count", "lat_0", "lat_1",
            "lat_2", "lat_3", "lat_4", "lat_5", "lat_6", "lat_7", "lat_8", "lat_9", "lat_10", "lat_11"};
    /** One statement per dialect that adds a delta to its bucket or creates it, atomically with other writers. */
    static final String UPSERT_POSTGRES = postgresUpsert();
    static final String UPSERT_H2 = h2Merge();

    @Inject
    Database database;

    /**
     * Inserts the rows and adds the deltas, in one transaction. H2's {@code MERGE} does not see another
     * transaction's uncommitted insert of the same bucket, so on H2 (one JVM by nature) writers take turns.
     */
    public void write(List<LogRow> rows, Collection<RollupDelta> deltas) {
        aggregating(() -> writeNow(rows, deltas));
    }

    private static final Object H2_WRITES = new Object();

    /** Runs a transaction that upserts aggregates: on H2 one at a time (see {@link #write}). */
    private void aggregating(Runnable transaction) {
        if (database.postgres()) {
            transaction.run();
        } else {
            synchronized (H2_WRITES) {
                transaction.run();
            }
        }
    }

    private void writeNow(List<LogRow> rows, Collection<RollupDelta> deltas) {
        database.run(em -> em.unwrap(Session.class).doWork(connection -> {
            insertRows(connection, rows, null);
            upsert(connection, deltas);
        }));
    }

    /** Adds the deltas to their buckets with this database's upsert, as one JDBC batch. */
    private void upsert(Connection connection, Collection<RollupDelta> deltas) throws SQLException {
        if (deltas.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(database.postgres() ? UPSERT_POSTGRES : UPSERT_H2)) {
            for (RollupDelta delta : deltas) {
                bindDelta(statement, delta);
                statement.addBatch();
            }
            statement.executeBatch(); // one round trip to PostgreSQL for all the aggregates
        }
    }

    /**
     * Inserts the rows as written by node {@code nodeId}, with one multi-row statement (one round trip that
     * commits by itself; more than {@link #ROWS_PER_INSERT} rows share a transaction), on the writer's
     * connection, and answers their ids in order (one writer per node, so a node's ids grow with its
     * commits). Their aggregates follow with {@link #addRollups}.
     */
    public long[] insert(List<LogRow> rows, String nodeId) {
        return onWriterConnection(rows.size() > ROWS_PER_INSERT, connection -> insertRows(connection, rows, nodeId));
    }

    /**
     * Opens the node's mark past every row logged so far (its rows come after): called once, at start.
     * Answers where the mark stands.
     */
    public long openMark(String nodeId) {
        return database.inTransaction(em -> {
            Object max = em.createNativeQuery("select max(id) from request_log").getSingleResult();
            long rolledTo = max == null ? 0L : ((Number) max).longValue();
            em.createNativeQuery("insert into rollup_marks (node_id, rolled_to, taken_over, updated_at) values (?1, ?2,"
                    + " false, ?3)").setParameter(1, nodeId).setParameter(2, rolledTo).setParameter(3, Instant.now())
                    .executeUpdate();
            return rolledTo;
        });
    }

    /**
     * Adds the deltas of the node's rows with ids in ({@code from}, {@code to}] to the aggregates and moves
     * its mark to {@code to}, in one transaction; false, with nothing changed, when the mark is not at
     * {@code from} any more (another node took the rows over, believing this node gone).
     */
    public boolean addRollups(Collection<RollupDelta> deltas, String nodeId, long from, long to) {
        boolean[] moved = new boolean[1];
        Runnable work = () -> onWriterConnection(true, connection -> {
            try (PreparedStatement mark = connection.prepareStatement("update rollup_marks set rolled_to = ?,"
                    + " updated_at = ? where node_id = ? and rolled_to = ? and taken_over = false")) {
                mark.setLong(1, to);
                mark.setTimestamp(2, Timestamp.from(Instant.now()));
                mark.setString(3, nodeId);
                mark.setLong(4, from);
                moved[0] = mark.executeUpdate() == 1;
            }
            if (moved[0]) {
                upsert(connection, deltas);
            }
            return null;
        });
        aggregating(work);
        return moved[0];
    }

    /** Where the node's mark stands, and whether another node took its rows over. */
    public record Mark(long rolledTo, boolean takenOver) {
    }

    public java.util.Optional<Mark> mark(String nodeId) {
        return database.inTransaction(em -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select rolled_to, taken_over from rollup_marks where node_id = ?1")
                    .setParameter(1, nodeId).getResultList();
            return rows.stream().findFirst().map(r -> new Mark(((Number) r[0]).longValue(), (Boolean) r[1]));
        });
    }

    /** Puts the node's mark at {@code rolledTo} and back in its hands (after another node took it over). */
    public void resumeMark(String nodeId, long rolledTo) {
        database.run(em -> em.createNativeQuery("update rollup_marks set rolled_to = ?1, taken_over = false,"
                + " updated_at = ?2 where node_id = ?3").setParameter(1, rolledTo).setParameter(2, Instant.now())
                .setParameter(3, nodeId).executeUpdate());
    }

    /**
     * Nodes other than {@code self} whose mark is their own, not moved since {@code aliveSince}, and whose
     * heartbeat stopped before it.
     */
    @SuppressWarnings("unchecked")
    public List<String> marksOfGoneNodes(String self, Instant aliveSince) {
        return database.inTransaction(em -> em.createNativeQuery("select m.node_id from rollup_marks m where"
                        + " m.taken_over = false and m.node_id <> ?1 and m.updated_at < ?2 and not exists (select 1 from gateway_nodes n"
                        + " where n.node_id = m.node_id and n.last_seen >= ?2)").setParameter(1, self)
                .setParameter(2, aliveSince).getResultList());
    }

    /** A logged row with its team's name (for the team dimension of the aggregates). */
    public record NamedRow(long id, LogRow row, String teamName) {
    }

    /**
     * Takes over a gone node's rows past its mark: locks the mark, reads up to {@code limit} of them,
     * adds {@code aggregate}'s deltas of them and moves the mark, in one transaction; the mark is flagged
     * as taken over once no row is left. Answers how many rows were added.
     */
    public int takeOver(String nodeId, int limit, java.util.function.Function<List<NamedRow>, Collection<RollupDelta>> aggregate) {
        int[] taken = new int[1];
        Runnable work = () -> database.run(em -> em.unwrap(Session.class).doWork(connection -> {
            long from;
            try (PreparedStatement lock = connection.prepareStatement("select rolled_to from rollup_marks where node_id = ?"
                    + " and taken_over = false for update")) {
                lock.setString(1, nodeId);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        return;
                    }
                    from = rs.getLong(1);
                }
            }
            List<NamedRow> rows = new ArrayList<>();
            try (PreparedStatement q = connection.prepareStatement("select " + ROW_COLUMNS.replaceAll("(\\w+)", "r.$1")
                    + ", r.id, t.name from request_log r left join teams t on t.id = r.team_id"
                    + " where r.id > ? and r.node_id = ? order by r.id fetch first " + limit + " rows only")) {
                q.setLong(1, from);
                q.setString(2, nodeId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new NamedRow(rs.getLong(29), readRow(rs), rs.getString(30)));
                    }
                }
            }
            upsert(connection, aggregate.apply(rows));
            try (PreparedStatement mark = connection.prepareStatement("update rollup_marks set rolled_to = ?,"
                    + " taken_over = ?, updated_at = ? where node_id = ?")) {
                mark.setLong(1, rows.isEmpty() ? from : rows.get(rows.size() - 1).id());
                mark.setBoolean(2, rows.size() < limit);
                mark.setTimestamp(3, Timestamp.from(Instant.now()));
                mark.setString(4, nodeId);
                mark.executeUpdate();
            }
            taken[0] = rows.size();
        }));
        aggregating(work);
        return taken[0];
    }

    /** A unit of work on a JDBC connection. */
    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** The log writer's connection, kept between its transactions; guarded by {@link #writerLock}. */
    private Connection writerConnection;
    private long writerConnectionUsedNanos;
    private final Object writerLock = new Object();

    /**
     * Runs {@code work} on the connection this repository keeps for the log writer between its writes (one
     * writer per node, so one connection; callers take turns), in a transaction of its own when {@code
     * transaction}, else in auto-commit (a single statement commits by itself, in the same round trip): a
     * batch costs its statements, without a pool borrow, an entity manager or a session set-up.
     *
     * <p>On PostgreSQL, unless {@code usage_synchronous_commit} is on, the connection's session commits
     * without waiting for its WAL to reach the disk ({@code synchronous_commit = off}, set once when the
     * connection is taken and reset before it goes back): the rows are committed, visible to every node
     * and survive the gateway's death; only a crash of the PostgreSQL server itself within about three
     * {@code wal_writer_delay} (0.6 s by default) can lose the last of them, a transaction whole or not at
     * all, never one without those before it. Every other transaction keeps the server's setting. A
     * failure closes the connection; the next transaction takes a fresh one.
     */
    private <T> T onWriterConnection(boolean transaction, SqlWork<T> work) {
        synchronized (writerLock) {
            Connection connection = null;
            try {
                connection = writerConnection();
                T result;
                if (transaction) {
                    connection.setAutoCommit(false);
                    result = work.apply(connection);
                    connection.commit();
                    connection.setAutoCommit(true);
                } else {
                    result = work.apply(connection);
                }
                writerConnectionUsedNanos = System.nanoTime();
                return result;
            } catch (SQLException | RuntimeException e) {
                if (connection != null && transaction) {
                    try {
                        connection.rollback();
                    } catch (SQLException | RuntimeException ignored) {
                        // the connection is closed below either way
                    }
                }
                releaseWriterConnection();
                throw e instanceof RuntimeException r ? r : new IllegalStateException("Request log write failed: " + e.getMessage(), e);
            }
        }
    }

    /** A server setting as the log writer's connection sees it (PostgreSQL's {@code SHOW}). */
    String writerSessionSetting(String name) {
        return onWriterConnection(false, connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("show " + name)) {
                result.next();
                return result.getString(1);
            }
        });
    }

    private Connection writerConnection() throws SQLException {
        if (writerConnection == null) {
            Connection connection = database.dataSource().getConnection();
            try {
                connection.setAutoCommit(true);
                if (asynchronousCommit()) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("set synchronous_commit = off");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            writerConnection = connection;
        }
        return writerConnection;
    }

    private boolean asynchronousCommit() {
        return database.postgres() && !database.settings().usageSynchronousCommit();
    }

    /**
     * Gives the log writer's connection back to the pool when it has not been used for {@code idle} (so a
     * quiet node holds none, and a connection the network or the server dropped meanwhile is not the one
     * the next batch finds); with {@link Duration#ZERO}, at once (the writer stops).
     */
    public void releaseWriterConnection(Duration idle) {
        synchronized (writerLock) {
            if (writerConnection != null && System.nanoTime() - writerConnectionUsedNanos >= idle.toNanos()) {
                releaseWriterConnection();
            }
        }
    }

    private void releaseWriterConnection() {
        Connection connection = writerConnection;
        writerConnection = null;
        if (connection == null) {
            return;
        }
        try {
            if (asynchronousCommit() && !connection.isClosed()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("reset synchronous_commit");
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "The request log's connection could not be reset", e);
        } finally {
            try {
                connection.close();
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.FINE, "The request log's connection did not close cleanly", e);
            }
        }
    }

    /** Rows per insert statement: 29 parameters each, far below PostgreSQL's 32,767 per statement. */
    static final int ROWS_PER_INSERT = 500;
    /** The multi-row insert statement for each number of rows, made when first needed. */
    private static final String[] INSERTS = new String[ROWS_PER_INSERT + 1];

    private static String insertOf(int rows) {
        String sql = INSERTS[rows];
        if (sql == null) {
            String values = INSERT.substring(INSERT.indexOf(" values ") + 8);
            StringBuilder out = new StringBuilder(INSERT.length() + rows * (values.length() + 1));
            out.append(INSERT);
            for (int i = 1; i < rows; i++) {
                out.append(',').append(values);
            }
            sql = out.toString();
            INSERTS[rows] = sql;
        }
        return sql;
    }

    /**
     * Inserts the rows with one multi-row statement per {@link #ROWS_PER_INSERT}, and answers their ids in
     * the rows' order. Each row's id is drawn from the sequence as the statement reaches it, so a
     * statement's ids ascend in the order of its rows, whatever order the database returns them in.
     */
    private static long[] insertRows(Connection connection, List<LogRow> rows, String nodeId) throws SQLException {
        long[] ids = new long[rows.size()];
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<LogRow> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            try (PreparedStatement insert = connection.prepareStatement(insertOf(chunk.size()), new String[] {"id"})) {
                int i = 1;
                for (LogRow r : chunk) {
                    i = bindRow(insert, i, r, nodeId);
                }
                insert.executeUpdate();
                long[] generated = new long[chunk.size()];
                int k = 0;
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    while (k < generated.length && keys.next()) {
                        generated[k++] = keys.getLong(1);
                    }
                }
                if (k != generated.length) {
                    throw new SQLException("The database returned " + k + " ids for " + generated.length + " rows");
                }
                java.util.Arrays.sort(generated);
                System.arraycopy(generated, 0, ids, from, generated.length);
            }
        }
        return ids;
    }

    /** Binds one row's 29 values from parameter {@code i} on; answers the next parameter's index. */
    private static int bindRow(PreparedStatement insert, int i, LogRow r, String nodeId) throws SQLException {
        insert.setString(i++, r.requestId());
        insert.setTimestamp(i++, Timestamp.from(r.createdAt()));
        setLong(insert, i++, r.keyId());
        insert.setString(i++, cut(r.keyName(), 200));
        setLong(insert, i++, r.teamId());
        insert.setString(i++, cut(r.provider(), 100));
        insert.setString(i++, cut(r.model(), 300));
        insert.setString(i++, cut(r.upstreamModel(), 300));
        insert.setString(i++, cut(r.endpoint(), 40));
        insert.setInt(i++, r.status());
        insert.setBoolean(i++, r.stream());
        insert.setString(i++, r.outcome());
        insert.setLong(i++, r.promptTokens());
        insert.setLong(i++, r.completionTokens());
        insert.setLong(i++, r.cachedTokens());
        insert.setLong(i++, r.reasoningTokens());
        insert.setBoolean(i++, r.estimated());
        insert.setLong(i++, r.latencyMs());
        setLong(insert, i++, r.ttftMs());
        if (r.tokensPerSecond() == null) {
            insert.setNull(i++, Types.DOUBLE);
        } else {
            insert.setDouble(i++, r.tokensPerSecond());
        }
        insert.setString(i++, cut(r.clientIp(), 64));
        insert.setString(i++, cut(r.userAgent(), 500));
        insert.setString(i++, r.clientType());
        insert.setString(i++, cut(r.errorType(), 100));
        insert.setString(i++, cut(r.errorMessage(), 2000));
        insert.setString(i++, cut(r.upstreamRequestId(), 200));
        insert.setLong(i++, r.costMicros());
        insert.setString(i++, cut(r.attempts(), 2000));
        insert.setString(i++, nodeId);
        return i;
    }

    private static String columns() {
        StringBuilder out = new StringBuilder();
        for (String[] key : KEY) {
            out.append(key[0]).append(", ");
        }
        return out.append("dim_id, ").append(String.join(", ", COUNTERS)).toString();
    }

    private static String postgresUpsert() {
        StringBuilder sql = new StringBuilder("insert into usage_rollup (").append(columns()).append(") values (")
                .append("?,".repeat(KEY.length + 1 + COUNTERS.length - 1)).append("?) on conflict (bucket_seconds, dim,"
                        + " dim_value, bucket_start) do update set ");
        for (int i = 0; i < COUNTERS.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(COUNTERS[i]).append(" = ")
                    .append(saturatingSum(COUNTERS[i], "usage_rollup." + COUNTERS[i], "excluded." + COUNTERS[i]));
        }
        return sql.toString();
    }

    /** {@code stored + added} for a counter, which stays at the largest bigint instead of failing the batch. */
    private static String saturatingSum(String counter, String stored, String added) {
        if (counter.equals("tps_sum")) {
            return stored + " + " + added;
        }
        return "case when " + stored + " > 9223372036854775807 - " + added + " then 9223372036854775807 else " + stored
                + " + " + added + " end";
    }

    private static String h2Merge() {
        StringBuilder values = new StringBuilder();
        for (String[] key : KEY) {
            // text stays uncast: a value too long for its column must fail, not be cut silently
            values.append(key[1].startsWith("varchar") ? "?" : "cast(? as " + key[1] + ")").append(", ");
        }
        values.append("cast(? as bigint)");
        for (String counter : COUNTERS) {
            values.append(", cast(? as ").append(counter.equals("tps_sum") ? "double precision" : "bigint").append(")");
        }
        StringBuilder sql = new StringBuilder("merge into usage_rollup t using (values (").append(values)
                .append(")) s (").append(columns()).append(") on t.bucket_seconds = s.bucket_seconds and t.dim = s.dim"
                        + " and t.dim_value = s.dim_value and t.bucket_start = s.bucket_start when matched then update set ");
        for (int i = 0; i < COUNTERS.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(COUNTERS[i]).append(" = ")
                    .append(saturatingSum(COUNTERS[i], "t." + COUNTERS[i], "s." + COUNTERS[i]));
        }
        return sql.append(" when not matched then insert (").append(columns()).append(") values (")
                .append(columns().replaceAll("(\\w+)", "s.$1")).append(")").toString();
    }

    private static void bindDelta(PreparedStatement s, RollupDelta d) throws SQLException {
        int i = 1;
        s.setInt(i++, d.bucketSeconds);
        s.setString(i++, d.dim);
        s.setString(i++, cut(d.dimValue, 300));
        s.setTimestamp(i++, Timestamp.from(d.bucketStart));
        setLong(s, i++, d.dimId);
        s.setLong(i++, d.requests);
        s.setLong(i++, d.refusals);
        s.setLong(i++, d.errors);
        s.setLong(i++, d.promptTokens);
        s.setLong(i++, d.completionTokens);
        s.setLong(i++, d.costMicros);
        s.setLong(i++, d.latencyMsSum);
        s.setLong(i++, d.ttftMsSum);
        s.setLong(i++, d.ttftCount);
        s.setDouble(i++, d.tpsSum);
        s.setLong(i++, d.tpsCount);
        for (long bucket : d.latency) {
            s.setLong(i++, bucket);
        }
    }

    /** Aggregate rows of one granularity and dimension within [from, to). */
    public List<RollupDelta> rollups(int bucketSeconds, String dim, Instant from, Instant to) {
        return rollups(bucketSeconds, dim, from, to, null);
    }

    /**
     * Aggregate rows of one granularity and dimension within [from, to), only of the keys or teams with
     * {@code ids} when that is not null (an empty list matches nothing).
     */
    public List<RollupDelta> rollups(int bucketSeconds, String dim, Instant from, Instant to, Collection<Long> ids) {
        if (ids != null && ids.isEmpty()) {
            return List.of();
        }
        return database.inTransaction(em -> {
            List<RollupDelta> result = new ArrayList<>();
            em.unwrap(Session.class).doWork(connection -> {
                String sql = "select dim_value, bucket_start, dim_id, requests, refusals, errors, prompt_tokens,"
                        + " completion_tokens, cost_micros, latency_ms_sum, ttft_ms_sum, ttft_count, tps_sum, tps_count,"
                        + " lat_0, lat_1, lat_2, lat_3, lat_4, lat_5, lat_6, lat_7, lat_8, lat_9, lat_10, lat_11"
                        + " from usage_rollup where bucket_seconds = ? and dim = ? and bucket_start >= ? and bucket_start < ?"
                        + (ids == null ? "" : " and dim_id in (" + "?,".repeat(ids.size() - 1) + "?)");
                try (PreparedStatement q = connection.prepareStatement(sql)) {
                    q.setInt(1, bucketSeconds);
                    q.setString(2, dim);
                    q.setTimestamp(3, Timestamp.from(from));
                    q.setTimestamp(4, Timestamp.from(to));
                    int i = 5;
                    for (Long id : ids == null ? List.<Long>of() : ids) {
                        q.setLong(i++, id);
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            result.add(readDelta(rs, bucketSeconds, dim));
                        }
                    }
                }
            });
            return result;
        });
    }

    private static RollupDelta readDelta(ResultSet rs, int bucketSeconds, String dim) throws SQLException {
        RollupDelta d = new RollupDelta(bucketSeconds, dim, rs.getString(1), getLong(rs, 3), rs.getTimestamp(2).toInstant());
        int i = 4;
        d.requests = rs.getLong(i++);
        d.refusals = rs.getLong(i++);
        d.errors = rs.getLong(i++);
        d.promptTokens = rs.getLong(i++);
        d.completionTokens = rs.getLong(i++);
        d.costMicros = rs.getLong(i++);
        d.latencyMsSum = rs.getLong(i++);
        d.ttftMsSum = rs.getLong(i++);
        d.ttftCount = rs.getLong(i++);
        d.tpsSum = rs.getDouble(i++);
        d.tpsCount = rs.getLong(i++);
        for (int b = 0; b < d.latency.length; b++) {
            d.latency[b] = rs.getLong(i++);
        }
        return d;
    }

    /** Request log rows matching the filters, newest first, with their exact count. */
    public Page<LogRow> search(LogFilter filter, int offset, int limit) {
        return search(filter, offset, limit, 0);
    }

    /**
     * Request log rows matching the filters, newest first; with {@code countLimit} above 0 the count stops
     * there (a page of a log with millions of rows costs its page, not a scan of every matching row).
     */
    public Page<LogRow> search(LogFilter filter, int offset, int limit, long countLimit) {
        return database.inTransaction(em -> {
            List<LogRow> rows = new ArrayList<>();
            long[] total = new long[1];
            em.unwrap(Session.class).doWork(connection -> {
                List<Object> params = new ArrayList<>();
                String where = filter.where(params);
                String counting = countLimit > 0
                        ? "select count(*) from (select 1 from request_log" + where + " fetch first " + countLimit + " rows only) c"
                        : "select count(*) from request_log" + where;
                try (PreparedStatement count = connection.prepareStatement(counting)) {
                    bind(count, params);
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        total[0] = rs.getLong(1);
                    }
                }
                try (PreparedStatement q = connection.prepareStatement("select " + ROW_COLUMNS + " from request_log" + where
                        + " order by created_at desc, id desc offset ? rows fetch next ? rows only")) {
                    params.add(offset);
                    params.add(limit);
                    bind(q, params);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            rows.add(readRow(rs));
                        }
                    }
                }
            });
            return new Page<>(rows, total[0]);
        });
    }

    private static LogRow readRow(ResultSet rs) throws SQLException {
        return new LogRow(rs.getString(1), rs.getTimestamp(2).toInstant(), getLong(rs, 3), rs.getString(4),
                getLong(rs, 5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10),
                rs.getBoolean(11), rs.getString(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getLong(16),
                rs.getBoolean(17), rs.getLong(18), getLong(rs, 19), rs.getObject(20) == null ? null : rs.getDouble(20),
                rs.getString(21), rs.getString(22), rs.getString(23), rs.getString(24), rs.getString(25),
                rs.getString(26), rs.getLong(27), rs.getString(28));
    }

    /** Deletes at most {@code batch} rows older than {@code before}; returns how many went. */
    public int deleteOlderThan(Instant before, int batch) {
        // first the id that ends the batch, then a plain range delete: an "id in (subquery … fetch first)"
        // delete is re-evaluated per row by some databases (H2 2.4) and takes minutes
        return database.inTransaction(em -> {
            Object last = em.createNativeQuery("select max(id) from (select id from request_log where created_at < ?1"
                    + " order by id fetch first " + batch + " rows only) batch_ids").setParameter(1, before).getSingleResult();
            if (last == null) {
                return 0;
            }
            return em.createNativeQuery("delete from request_log where id <= ?1 and created_at < ?2")
                    .setParameter(1, ((Number) last).longValue()).setParameter(2, before).executeUpdate();
        });
    }

    public int deleteRollupsOlderThan(int bucketSeconds, Instant before) {
        return database.inTransaction(em -> em.createNativeQuery(
                        "delete from usage_rollup where bucket_seconds = ?1 and bucket_start < ?2")
                .setParameter(1, bucketSeconds).setParameter(2, before).executeUpdate());
    }

    static void bind(PreparedStatement s, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p instanceof Instant instant) {
                s.setTimestamp(i + 1, Timestamp.from(instant));
            } else {
                s.setObject(i + 1, p);
            }
        }
    }

    private static void setLong(PreparedStatement s, int i, Long value) throws SQLException {
        if (value == null) {
            s.setNull(i, Types.BIGINT);
        } else {
            s.setLong(i, value);
        }
    }

    private static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

}
