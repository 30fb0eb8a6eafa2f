package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.hibernate.Session;

/**
 * The request log and its aggregates, written with JDBC batches: one transaction per batch inserts the
 * rows and adds their deltas to the per-minute and per-hour aggregates (update, or insert when the
 * bucket is new; safe with several nodes writing the same bucket).
 */
@ApplicationScoped
public class RequestLogRepository {

    private static final String INSERT = "insert into request_log (request_id, created_at, key_id, key_name, team_id,"
            + " provider, model, upstream_model, endpoint, status, stream, outcome, prompt_tokens, completion_tokens,"
            + " cached_tokens, reasoning_tokens, estimated, latency_ms, ttft_ms, tokens_per_second, client_ip, user_agent,"
            + " client_type, error_type, error_message, upstream_request_id, cost_micros)"
            + " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    private static final String ADD = "update usage_rollup set requests = requests + ?, errors = errors + ?,"
            + " prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, cost_micros = cost_micros + ?,"
            + " latency_ms_sum = latency_ms_sum + ?, ttft_ms_sum = ttft_ms_sum + ?, ttft_count = ttft_count + ?,"
            + " tps_sum = tps_sum + ?, tps_count = tps_count + ?, lat_0 = lat_0 + ?, lat_1 = lat_1 + ?, lat_2 = lat_2 + ?,"
            + " lat_3 = lat_3 + ?, lat_4 = lat_4 + ?, lat_5 = lat_5 + ?, lat_6 = lat_6 + ?, lat_7 = lat_7 + ?,"
            + " lat_8 = lat_8 + ?, lat_9 = lat_9 + ?, lat_10 = lat_10 + ?, lat_11 = lat_11 + ?"
            + " where bucket_seconds = ? and dim = ? and dim_value = ? and bucket_start = ?";
    private static final String CREATE = "insert into usage_rollup (requests, errors, prompt_tokens, completion_tokens,"
            + " cost_micros, latency_ms_sum, ttft_ms_sum, ttft_count, tps_sum, tps_count, lat_0, lat_1, lat_2, lat_3, lat_4,"
            + " lat_5, lat_6, lat_7, lat_8, lat_9, lat_10, lat_11, bucket_seconds, dim, dim_value, bucket_start)"
            + " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    @Inject
    Database database;

    /** Inserts the rows and adds the deltas, in one transaction. */
    public void write(List<LogRow> rows, Collection<RollupDelta> deltas) {
        database.run(em -> em.unwrap(Session.class).doWork(connection -> {
            insertRows(connection, rows);
            for (RollupDelta delta : deltas) {
                addDelta(connection, delta);
            }
        }));
    }

    private static void insertRows(Connection connection, List<LogRow> rows) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (LogRow r : rows) {
                int i = 1;
                insert.setString(i++, r.requestId());
                insert.setTimestamp(i++, Timestamp.from(r.createdAt()));
                setLong(insert, i++, r.keyId());
                insert.setString(i++, cut(r.keyName(), 200));
                setLong(insert, i++, r.teamId());
                insert.setString(i++, cut(r.provider(), 100));
                insert.setString(i++, cut(r.model(), 300));
                insert.setString(i++, cut(r.upstreamModel(), 300));
                insert.setString(i++, r.endpoint());
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
                insert.setLong(i, r.costMicros());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void addDelta(Connection connection, RollupDelta d) throws SQLException {
        for (int attempt = 0; attempt < 3; attempt++) {
            try (PreparedStatement update = connection.prepareStatement(ADD)) {
                bindDelta(update, d);
                if (update.executeUpdate() == 1) {
                    return;
                }
            }
            try (PreparedStatement create = connection.prepareStatement(CREATE)) {
                bindDelta(create, d);
                create.executeUpdate();
                return;
            } catch (SQLException duplicate) {
                if (!isDuplicate(duplicate) || attempt == 2) {
                    throw duplicate;
                }
                // another node created the bucket between our update and insert: add to it instead
            }
        }
    }

    private static void bindDelta(PreparedStatement s, RollupDelta d) throws SQLException {
        int i = 1;
        s.setLong(i++, d.requests);
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
        s.setInt(i++, d.bucketSeconds);
        s.setString(i++, d.dim);
        s.setString(i++, cut(d.dimValue, 300));
        s.setTimestamp(i, Timestamp.from(d.bucketStart));
    }

    /** Aggregate rows of one granularity and dimension within [from, to). */
    public List<RollupDelta> rollups(int bucketSeconds, String dim, Instant from, Instant to) {
        return database.inTransaction(em -> {
            List<RollupDelta> result = new ArrayList<>();
            em.unwrap(Session.class).doWork(connection -> {
                try (PreparedStatement q = connection.prepareStatement("select dim_value, bucket_start, requests, errors,"
                        + " prompt_tokens, completion_tokens, cost_micros, latency_ms_sum, ttft_ms_sum, ttft_count, tps_sum,"
                        + " tps_count, lat_0, lat_1, lat_2, lat_3, lat_4, lat_5, lat_6, lat_7, lat_8, lat_9, lat_10, lat_11"
                        + " from usage_rollup where bucket_seconds = ? and dim = ? and bucket_start >= ? and bucket_start < ?")) {
                    q.setInt(1, bucketSeconds);
                    q.setString(2, dim);
                    q.setTimestamp(3, Timestamp.from(from));
                    q.setTimestamp(4, Timestamp.from(to));
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
        RollupDelta d = new RollupDelta(bucketSeconds, dim, rs.getString(1), rs.getTimestamp(2).toInstant());
        d.requests = rs.getLong(3);
        d.errors = rs.getLong(4);
        d.promptTokens = rs.getLong(5);
        d.completionTokens = rs.getLong(6);
        d.costMicros = rs.getLong(7);
        d.latencyMsSum = rs.getLong(8);
        d.ttftMsSum = rs.getLong(9);
        d.ttftCount = rs.getLong(10);
        d.tpsSum = rs.getDouble(11);
        d.tpsCount = rs.getLong(12);
        for (int i = 0; i < d.latency.length; i++) {
            d.latency[i] = rs.getLong(13 + i);
        }
        return d;
    }

    /** Request log rows matching the filters, newest first. */
    public Page<LogRow> search(LogFilter filter, int offset, int limit) {
        return database.inTransaction(em -> {
            List<LogRow> rows = new ArrayList<>();
            long[] total = new long[1];
            em.unwrap(Session.class).doWork(connection -> {
                List<Object> params = new ArrayList<>();
                String where = filter.where(params);
                try (PreparedStatement count = connection.prepareStatement("select count(*) from request_log" + where)) {
                    bind(count, params);
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        total[0] = rs.getLong(1);
                    }
                }
                try (PreparedStatement q = connection.prepareStatement("select request_id, created_at, key_id, key_name,"
                        + " team_id, provider, model, upstream_model, endpoint, status, stream, outcome, prompt_tokens,"
                        + " completion_tokens, cached_tokens, reasoning_tokens, estimated, latency_ms, ttft_ms,"
                        + " tokens_per_second, client_ip, user_agent, client_type, error_type, error_message,"
                        + " upstream_request_id, cost_micros from request_log" + where
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
                rs.getString(26), rs.getLong(27));
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

    private static boolean isDuplicate(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("23"));
    }
}
