package io.tokenrouter.store;

import static io.tokenrouter.store.RequestLogSql.*;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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


    @Inject
    Database database;

    /** The connection the log writer keeps between its writes. */
    private final WriterConnection writer = new WriterConnection(() -> database);

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
        return writer.run(rows.size() > ROWS_PER_INSERT, connection -> insertRows(connection, rows, nodeId));
    }

    /**
     * {@link #insert}, for rows that may have been stored before (read back from a journal, or retried after a
     * failure that may have come after the commit): in one transaction, the rows whose request id the log
     * already holds are skipped. Answers the ids in the rows' order, 0 for a row skipped. One shipper per node
     * and request ids unique across nodes, so no other writer inserts the same rows meanwhile.
     */
    public long[] insertNew(List<LogRow> rows, String nodeId) {
        return writer.run(true, connection -> {
            java.util.Set<String> present = new java.util.HashSet<>();
            for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
                List<LogRow> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
                try (PreparedStatement q = connection.prepareStatement("select request_id from request_log where request_id in ("
                        + "?,".repeat(chunk.size() - 1) + "?)")) {
                    int i = 1;
                    for (LogRow r : chunk) {
                        q.setString(i++, r.requestId());
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            present.add(rs.getString(1));
                        }
                    }
                }
            }
            List<LogRow> fresh = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>(present);
            boolean[] take = new boolean[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                if (seen.add(rows.get(i).requestId())) {
                    take[i] = true;
                    fresh.add(rows.get(i));
                }
            }
            long[] freshIds = fresh.isEmpty() ? new long[0] : insertRows(connection, fresh, nodeId);
            long[] ids = new long[rows.size()];
            for (int i = 0, k = 0; i < rows.size(); i++) {
                if (take[i]) {
                    ids[i] = freshIds[k++];
                }
            }
            return ids;
        });
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
        Runnable work = () -> writer.run(true, connection -> {
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

    /** A server setting as the log writer's connection sees it (PostgreSQL's {@code SHOW}). */
    String writerSessionSetting(String name) {
        return writer.sessionSetting(name);
    }

    /**
     * Gives the log writer's connection back to the pool when it has not been used for {@code idle}; with
     * {@link Duration#ZERO}, at once (the writer stops).
     */
    public void releaseWriterConnection(Duration idle) {
        writer.release(idle);
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

}
