package io.tokenrouter.store;

import io.tokenrouter.store.QuotaRepository.Amounts;
import io.tokenrouter.store.QuotaRepository.Block;
import io.tokenrouter.store.QuotaRepository.Windows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

/**
 * The SQL of quota counters, shared by {@link QuotaRepository}'s operations: the statements' common parts (a
 * row's current window, whether its counter is stale, the amount of its metric), their parameters, locking rows
 * in id order, and sizing an allowance from the rows' headroom. Every statement is evaluated by the database
 * under the rows' locks; nothing here reads a counter to write it back.
 */
final class QuotaSql {

    private QuotaSql() {
    }

    /** A unit of work on one connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in a transaction of its own: committed on return, rolled back on any failure (and when it
     * answers null). Fails at once while the database is known to be down, and begins an outage when it finds it so.
     */
    static <T> T transaction(Database database, String what, SqlWork<T> work) {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                if (result == null) {
                    c.rollback();
                } else {
                    c.commit();
                }
                c.setAutoCommit(true);
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                    c.setAutoCommit(true);
                } catch (SQLException gone) {
                    e.addSuppressed(gone); // the connection broke with the failure; the pool drops it
                }
                throw e;
            }
        } catch (SQLException e) {
            DatabaseUnavailableException unavailable = database.failed(e);
            throw unavailable != null ? unavailable : new IllegalStateException(what + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            DatabaseUnavailableException unavailable = database.failed(e);
            throw unavailable != null ? unavailable : e;
        }
    }

    static final String WINDOW = QuotaWindow.CURRENT_SQL;

    static final String STALE = QuotaWindow.STALE_SQL;

    /** An amount per metric; typed explicitly, or H2 would type the CASE after its first branch. */
    static final String AMOUNTS = "case metric when 'requests' then cast(? as bigint) when 'tokens' then"
            + " cast(? as bigint) else cast(? as bigint) end";

    /**
     * On PostgreSQL, locks the quota rows a transaction is about to change in id order first: a multi-row
     * {@code UPDATE} locks its rows in the order it scans them, which differs between statements, and two
     * transactions that lock the same rows in different orders deadlock (PostgreSQL then fails one after
     * a second). H2 scans {@code id in (…)} by its primary key, already in order.
     */
    static void lockInOrder(Connection c, List<Long> ids, boolean postgres) throws SQLException {
        if (ids.size() < 2 || !postgres) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("select id from quotas where id in (" + placeholders(ids.size())
                + ") order by id for update")) {
            ids(s, 1, ids);
            s.executeQuery().close();
        }
    }

    /** Records what a hold holds on each of {@code ids}: one row per quota whose metric's amount is positive. */
    static void insertHold(Connection c, long holdId, List<Long> ids, Amounts amounts, String nodeId, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into quota_holds (hold_id, quota_id, amount, node_id,"
                + " created_at) select ?, id, " + AMOUNTS + ", ?, ? from quotas where id in (" + placeholders(ids.size())
                + ") and " + AMOUNTS + " > 0")) {
            s.setLong(1, holdId);
            int i = amounts(s, 2, amounts);
            s.setString(i++, nodeId);
            s.setObject(i++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            i = ids(s, i, ids);
            amounts(s, i, amounts);
            s.executeUpdate();
        }
    }

    /** Locks the rows (in id order) and sizes the block; null when a row is missing or has no room for one request. */
    static Block headroom(Connection c, List<Long> ids, Amounts ask, int fraction, long maxRequests,
                                  Windows windows) throws SQLException {
        long[] room = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        boolean[] limits = new boolean[3];
        Set<Period> periods = java.util.EnumSet.noneOf(Period.class);
        int found = 0;
        try (PreparedStatement s = c.prepareStatement("select metric, period, limit_value, used, reserved, window_start"
                + " from quotas where id in (" + placeholders(ids.size()) + ") order by id for update")) {
            ids(s, 1, ids);
            try (var rows = s.executeQuery()) {
                while (rows.next()) {
                    found++;
                    Period period = Period.parse(rows.getString(2));
                    periods.add(period);
                    OffsetDateTime start = rows.getObject(6, OffsetDateTime.class);
                    boolean stale = QuotaWindow.stale(start == null ? null : start.toInstant(), windows.of(period));
                    long left = rows.getLong(3) - (stale ? 0 : rows.getLong(4)) - rows.getLong(5);
                    int m = Metric.parse(rows.getString(1)).ordinal();
                    limits[m] = true;
                    room[m] = Math.min(room[m], left);
                }
            }
        }
        if (found != ids.size() || room[0] < 1 || room[1] < ask.tokens() || room[2] < ask.cost()) {
            return null;
        }
        long requests = limits[0] ? Math.max(1, Math.min(maxRequests, room[0] / fraction)) : 0;
        long tokens = limits[1] ? block(room[1], ask.tokens(), maxRequests, fraction) : 0;
        long cost = limits[2] ? block(room[2], ask.cost(), maxRequests, fraction) : 0;
        return new Block(new Amounts(requests, tokens, cost), limits[0], limits[1], limits[2], Set.copyOf(periods));
    }

    /** A block of one amount: a fraction of the room, at least one request's {@code ask}, at most maxRequests of them. */
    static long block(long room, long ask, long maxRequests, int fraction) {
        long most = ask > Long.MAX_VALUE / maxRequests ? ask : ask * maxRequests;
        return Math.min(room, Math.max(ask, Math.min(most, room / fraction)));
    }

    static int deleteHoldRows(Connection c, long holdId, Metric metric) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("delete from quota_holds where hold_id = ? and quota_id in"
                + " (select id from quotas where metric = ?)")) {
            s.setLong(1, holdId);
            s.setString(2, metric.wireName());
            return s.executeUpdate();
        }
    }

    static int deleteHold(Connection c, long holdId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("delete from quota_holds where hold_id = ?")) {
            s.setLong(1, holdId);
            return s.executeUpdate();
        }
    }

    static int ids(PreparedStatement s, int i, List<Long> ids) throws SQLException {
        for (Long id : ids) {
            s.setLong(i++, id);
        }
        return i;
    }

    static String placeholders(int n) {
        return "?,".repeat(n - 1) + "?";
    }

    static int amounts(PreparedStatement s, int i, Amounts amounts) throws SQLException {
        s.setLong(i, amounts.requests());
        s.setLong(i + 1, amounts.tokens());
        s.setLong(i + 2, amounts.cost());
        return i + 3;
    }

    static List<Long> longs(List<?> values) {
        return values.stream().map(v -> ((Number) v).longValue()).toList();
    }

    static int windows(PreparedStatement s, int i, Windows w) throws SQLException {
        for (Instant start : new Instant[] {w.minute(), w.hour(), w.day(), w.week(), w.month()}) {
            s.setObject(i++, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
        }
        return i;
    }
}
