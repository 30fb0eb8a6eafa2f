package io.tokenrouter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * The request log's SQL: the multi-row insert of log rows and how a row is bound and read, and the one upsert per
 * dialect that adds a delta to its aggregate bucket (saturating, so a sum never wraps), with how a delta is bound
 * and read. {@link RequestLogRepository} runs them.
 */
final class RequestLogSql {

    private RequestLogSql() {
    }

    static final String INSERT = "insert into request_log (request_id, created_at, key_id, key_name, team_id,"
            + " provider, model, upstream_model, endpoint, status, stream, outcome, prompt_tokens, completion_tokens,"
            + " cached_tokens, reasoning_tokens, estimated, latency_ms, ttft_ms, tokens_per_second, client_ip, user_agent,"
            + " client_type, error_type, error_message, upstream_request_id, cost_micros, attempts, node_id)"
            + " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    static final String ROW_COLUMNS = "request_id, created_at, key_id, key_name,"
            + " team_id, provider, model, upstream_model, endpoint, status, stream, outcome, prompt_tokens,"
            + " completion_tokens, cached_tokens, reasoning_tokens, estimated, latency_ms, ttft_ms,"
            + " tokens_per_second, client_ip, user_agent, client_type, error_type, error_message,"
            + " upstream_request_id, cost_micros, attempts";

    /** The aggregate's key, then its counters (added on conflict), each with its SQL type. */
    static final String[][] KEY = {{"bucket_seconds", "integer"}, {"dim", "varchar(10)"},
            {"dim_value", "varchar(300)"}, {"bucket_start", "timestamp with time zone"}};

    static final String[] COUNTERS = {"requests", "refusals", "errors", "prompt_tokens", "completion_tokens",
            "cost_micros", "latency_ms_sum", "ttft_ms_sum", "ttft_count", "tps_sum", "tps_count", "lat_0", "lat_1",
            "lat_2", "lat_3", "lat_4", "lat_5", "lat_6", "lat_7", "lat_8", "lat_9", "lat_10", "lat_11"};

    /** One statement per dialect that adds a delta to its bucket or creates it, atomically with other writers. */
    static final String UPSERT_POSTGRES = postgresUpsert();

    static final String UPSERT_H2 = h2Merge();

    /** Rows per insert statement: 29 parameters each, far below PostgreSQL's 32,767 per statement. */
    static final int ROWS_PER_INSERT = 500;

    /** The multi-row insert statement for each number of rows, made when first needed. */
    static final String[] INSERTS = new String[ROWS_PER_INSERT + 1];

    static String insertOf(int rows) {
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
    static long[] insertRows(Connection connection, List<LogRow> rows, String nodeId) throws SQLException {
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
    static int bindRow(PreparedStatement insert, int i, LogRow r, String nodeId) throws SQLException {
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

    static String columns() {
        StringBuilder out = new StringBuilder();
        for (String[] key : KEY) {
            out.append(key[0]).append(", ");
        }
        return out.append("dim_id, ").append(String.join(", ", COUNTERS)).toString();
    }

    static String postgresUpsert() {
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
    static String saturatingSum(String counter, String stored, String added) {
        if (counter.equals("tps_sum")) {
            return stored + " + " + added;
        }
        return "case when " + stored + " > 9223372036854775807 - " + added + " then 9223372036854775807 else " + stored
                + " + " + added + " end";
    }

    static String h2Merge() {
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

    static void bindDelta(PreparedStatement s, RollupDelta d) throws SQLException {
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

    static RollupDelta readDelta(ResultSet rs, int bucketSeconds, String dim) throws SQLException {
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

    static LogRow readRow(ResultSet rs) throws SQLException {
        return new LogRow(rs.getString(1), rs.getTimestamp(2).toInstant(), getLong(rs, 3), rs.getString(4),
                getLong(rs, 5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10),
                rs.getBoolean(11), rs.getString(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getLong(16),
                rs.getBoolean(17), rs.getLong(18), getLong(rs, 19), rs.getObject(20) == null ? null : rs.getDouble(20),
                rs.getString(21), rs.getString(22), rs.getString(23), rs.getString(24), rs.getString(25),
                rs.getString(26), rs.getLong(27), rs.getString(28));
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

    static void setLong(PreparedStatement s, int i, Long value) throws SQLException {
        if (value == null) {
            s.setNull(i, Types.BIGINT);
        } else {
            s.setLong(i, value);
        }
    }

    static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
