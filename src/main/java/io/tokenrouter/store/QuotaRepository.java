package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Quota rows and their counters. Every counter change is a conditional {@code UPDATE} evaluated by the
 * database under its row lock, never a read-modify-write in Java, so concurrent requests on any number
 * of nodes cannot take more than a limit allows.
 */
@ApplicationScoped
public class QuotaRepository {

    @Inject
    Database database;

    /**
     * A reservation held on quota rows: one request on each {@code requests} row and {@code tokens} on
     * each {@code tokens} row, recorded in {@code quota_holds} under {@code holdId} until settled or reclaimed.
     */
    public record Hold(long holdId, List<Long> quotaIds, long tokens) {
    }

    /** The outcome of {@link #reserveAll}: the hold, or the row that refused (nothing reserved then). */
    public record ReserveOutcome(Hold hold, Quota refusedBy) {
        public boolean accepted() {
            return refusedBy == null;
        }
    }

    private static final class Refused extends RuntimeException {
        private final long quotaId;

        Refused(long quotaId) {
            super(null, null, false, false);
            this.quotaId = quotaId;
        }
    }

    private static final String WINDOW = "case period when 'day' then ? when 'week' then ? else ? end";
    private static final String STALE = "(period <> 'total' and (window_start is null or window_start < " + WINDOW + "))";
    /** Typed explicitly: H2 would type the CASE after the literal 1 (INTEGER) and overflow on large amounts. */
    private static final String AMOUNT = "case metric when 'requests' then cast(1 as bigint) else cast(? as bigint) end";
    private static final String AMOUNTS = "case metric when 'requests' then cast(? as bigint) else cast(? as bigint) end";

    /**
     * On PostgreSQL, locks the quota rows a transaction is about to change in id order first: a multi-row
     * {@code UPDATE} locks its rows in the order it scans them, which differs between statements, and two
     * transactions that lock the same rows in different orders deadlock (PostgreSQL then fails one after
     * a second). H2 scans {@code id in (…)} by its primary key, already in order.
     */
    private void lockInOrder(Connection c, List<Long> ids) throws SQLException {
        if (ids.size() < 2 || !database.postgres()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("select id from quotas where id in (" + placeholders(ids.size())
                + ") order by id for update")) {
            ids(s, 1, ids);
            s.executeQuery().close();
        }
    }

    private static void insertHold(Connection c, Hold hold, String nodeId, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into quota_holds (hold_id, quota_id, amount, node_id,"
                + " created_at) select ?, id, " + AMOUNT + ", ?, ? from quotas where id in ("
                + placeholders(hold.quotaIds().size()) + ")")) {
            s.setLong(1, hold.holdId());
            s.setLong(2, hold.tokens());
            s.setString(3, nodeId);
            s.setObject(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ids(s, 5, hold.quotaIds());
            s.executeUpdate();
        }
    }

    /**
     * Settles a hold in one transaction: removes its rows and, if they were still there (not reclaimed
     * meanwhile), takes its amounts off {@code reserved}; then adds what was used. Deleting the hold rows
     * first makes settlement and reclaiming exclusive: only the one that deleted them gives them back.
     */
    public void settle(Hold hold, long requestsUsed, long tokensUsed) {
        resize(hold.holdId(), hold.quotaIds(), new Amounts(1, hold.tokens()), Amounts.ZERO,
                new Amounts(requestsUsed, Math.max(0, tokensUsed)));
    }

    /** An amount per metric: {@code requests} on request rows, {@code tokens} on token rows. */
    public record Amounts(long requests, long tokens) {
        public static final Amounts ZERO = new Amounts(0, 0);
    }

    /**
     * What {@link #takeBlock} took: the same amount on every row of a metric, and whether the rows hold a
     * limit of that metric at all (a metric without a row is not limited).
     */
    public record Block(Amounts held, boolean limitsRequests, boolean limitsTokens) {
    }

    /**
     * Takes a node's allowance in one transaction: locks the rows in id order, rolls each into its current
     * window, and reserves on every row of a metric the same amount: {@code 1/fraction} of the smallest
     * headroom (limit − used − reserved) among the rows of that metric, at least one request or
     * {@code tokens} and at most {@code maxRequests} requests (tokens: that many times {@code tokens}).
     * Null, with nothing reserved, when the rows are not all there or one cannot take even one request of
     * {@code tokens}; {@link #reserveAll} then finds the limit that refused.
     */
    public Block takeBlock(long holdId, String nodeId, List<Long> ids, long tokens, int fraction, long maxRequests,
                           Instant now, Instant day, Instant week, Instant month) {
        requirePositive(tokens);
        return transaction("Quota allowance", c -> {
            Block block = headroom(c, ids, tokens, fraction, maxRequests, now, day, week, month);
            if (block == null) {
                return null;
            }
            String sql = "update quotas set used = case when " + STALE + " then 0 else used end,"
                    + " window_start = case when " + STALE + " then " + WINDOW + " else window_start end,"
                    + " reserved = reserved + " + AMOUNTS + " where id in (" + placeholders(ids.size()) + ")";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = windows(s, 1, day, week, month);
                i = windows(s, i, day, week, month);
                i = windows(s, i, day, week, month);
                s.setLong(i++, block.held().requests());
                s.setLong(i++, block.held().tokens());
                ids(s, i, ids);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("insert into quota_holds (hold_id, quota_id, amount,"
                    + " node_id, created_at) select ?, id, " + AMOUNTS + ", ?, ? from quotas where id in ("
                    + placeholders(ids.size()) + ")")) {
                s.setLong(1, holdId);
                s.setLong(2, block.held().requests());
                s.setLong(3, block.held().tokens());
                s.setString(4, nodeId);
                s.setObject(5, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                ids(s, 6, ids);
                s.executeUpdate();
            }
            return block;
        });
    }

    /** A unit of work on one connection. */
    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in a transaction of its own: committed on return, rolled back on any failure (and when it answers null). */
    private <T> T transaction(String what, SqlWork<T> work) {
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                if (result == null) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** Locks the rows (in id order) and sizes the block; null when a row is missing or has no room for one request. */
    private static Block headroom(Connection c, List<Long> ids, long tokens, int fraction, long maxRequests,
                                  Instant now, Instant day, Instant week, Instant month) throws SQLException {
        long requestRoom = Long.MAX_VALUE;
        long tokenRoom = Long.MAX_VALUE;
        boolean limitsRequests = false;
        boolean limitsTokens = false;
        int found = 0;
        try (PreparedStatement s = c.prepareStatement("select metric, period, limit_value, used, reserved, window_start"
                + " from quotas where id in (" + placeholders(ids.size()) + ") order by id for update")) {
            ids(s, 1, ids);
            try (var rows = s.executeQuery()) {
                while (rows.next()) {
                    found++;
                    String period = rows.getString(2);
                    Instant window = switch (period) {
                        case "day" -> day;
                        case "week" -> week;
                        case "month" -> month;
                        default -> null;
                    };
                    OffsetDateTime start = rows.getObject(6, OffsetDateTime.class);
                    boolean stale = window != null && (start == null || start.toInstant().isBefore(window));
                    long room = rows.getLong(3) - (stale ? 0 : rows.getLong(4)) - rows.getLong(5);
                    if (Quota.METRIC_REQUESTS.equals(rows.getString(1))) {
                        limitsRequests = true;
                        requestRoom = Math.min(requestRoom, room);
                    } else {
                        limitsTokens = true;
                        tokenRoom = Math.min(tokenRoom, room);
                    }
                }
            }
        }
        if (found != ids.size() || requestRoom < 1 || tokenRoom < tokens) {
            return null;
        }
        long requests = limitsRequests ? Math.max(1, Math.min(maxRequests, requestRoom / fraction)) : 0;
        long maxTokens = tokens > Long.MAX_VALUE / maxRequests ? tokens : tokens * maxRequests;
        long blockTokens = limitsTokens ? Math.min(tokenRoom, Math.max(tokens, Math.min(maxTokens, tokenRoom / fraction))) : 0;
        return new Block(new Amounts(requests, blockTokens), limitsRequests, limitsTokens);
    }

    /**
     * Changes a hold in one transaction: what it holds on each row goes from {@code held} to {@code keep}
     * (per metric; all zero deletes it), {@code reserved} drops by the difference, and {@code used} grows
     * by {@code used}. If the hold was reclaimed meanwhile, {@code reserved} was given back already and
     * only {@code used} is added. Rows are locked in id order first, as everywhere.
     */
    public void resize(long holdId, List<Long> ids, Amounts held, Amounts keep, Amounts used) {
        transaction("Quota settlement", c -> {
            lockInOrder(c, ids);
            int holds;
            if (keep.requests() == 0 && keep.tokens() == 0) {
                holds = deleteHold(c, holdId);
            } else {
                try (PreparedStatement s = c.prepareStatement("update quota_holds set amount = case (select q.metric"
                        + " from quotas q where q.id = quota_holds.quota_id) when 'requests' then cast(? as bigint)"
                        + " else cast(? as bigint) end where hold_id = ?")) {
                    s.setLong(1, keep.requests());
                    s.setLong(2, keep.tokens());
                    s.setLong(3, holdId);
                    holds = s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("update quotas set reserved = reserved - case when ? = 1"
                    + " then " + AMOUNTS + " else 0 end, used = used + " + AMOUNTS
                    + " where id in (" + placeholders(ids.size()) + ")")) {
                s.setInt(1, holds > 0 ? 1 : 0);
                s.setLong(2, Math.max(0, held.requests() - keep.requests()));
                s.setLong(3, Math.max(0, held.tokens() - keep.tokens()));
                s.setLong(4, used.requests());
                s.setLong(5, used.tokens());
                ids(s, 6, ids);
                s.executeUpdate();
            }
            return Boolean.TRUE;
        });
    }

    /**
     * Gives a hold's amounts back without charging anything: for holds whose request can no longer settle
     * (its node died, or its settlement failed). False when the hold was gone already.
     */
    public boolean reclaim(long holdId) {
        return database.inTransaction(em -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select quota_id, amount from quota_holds where hold_id = ?1"
                    + " order by quota_id").setParameter(1, holdId).getResultList();
            int deleted = em.createNativeQuery("delete from quota_holds where hold_id = ?1").setParameter(1, holdId)
                    .executeUpdate();
            if (deleted == 0 || deleted != rows.size()) {
                return false;
            }
            for (Object[] row : rows) {
                em.createNativeQuery("update quotas set reserved = reserved - ?1 where id = ?2")
                        .setParameter(1, ((Number) row[1]).longValue()).setParameter(2, ((Number) row[0]).longValue())
                        .executeUpdate();
            }
            return true;
        });
    }

    /** Holds of other nodes than {@code self} not seen since {@code aliveSince} (crashed or stopped mid-request). */
    public List<Long> findHoldsOfGoneNodes(String self, Instant aliveSince, int limit) {
        return database.inTransaction(em -> longs(em.createNativeQuery("select distinct h.hold_id from quota_holds h"
                        + " where h.node_id <> ?2 and not exists (select 1 from gateway_nodes n where n.node_id = h.node_id"
                        + " and n.last_seen >= ?1)").setParameter(1, aliveSince).setParameter(2, self)
                .setMaxResults(limit).getResultList()));
    }

    /** This node's holds taken before {@code before}, to be compared with the requests it still has in flight. */
    public List<Long> findHoldsOfNode(String nodeId, Instant before, int limit) {
        return database.inTransaction(em -> longs(em.createNativeQuery("select distinct hold_id from quota_holds"
                        + " where node_id = ?1 and created_at < ?2").setParameter(1, nodeId).setParameter(2, before)
                .setMaxResults(limit).getResultList()));
    }

    private static int deleteHold(Connection c, long holdId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("delete from quota_holds where hold_id = ?")) {
            s.setLong(1, holdId);
            return s.executeUpdate();
        }
    }

    private static int ids(PreparedStatement s, int i, List<Long> ids) throws SQLException {
        for (Long id : ids) {
            s.setLong(i++, id);
        }
        return i;
    }

    private static String placeholders(int n) {
        return "?,".repeat(n - 1) + "?";
    }

    private static void requirePositive(long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("A reservation needs a positive token amount, not " + tokens);
        }
    }

    private static List<Long> longs(List<?> values) {
        return values.stream().map(v -> ((Number) v).longValue()).toList();
    }

    private static int windows(PreparedStatement s, int i, Instant day, Instant week, Instant month) throws SQLException {
        s.setObject(i, OffsetDateTime.ofInstant(day, ZoneOffset.UTC));
        s.setObject(i + 1, OffsetDateTime.ofInstant(week, ZoneOffset.UTC));
        s.setObject(i + 2, OffsetDateTime.ofInstant(month, ZoneOffset.UTC));
        return i + 3;
    }

    /** Whether the caller is inside a transaction, which may hold quota rows locked that a separate connection would wait for. */
    public boolean callerInTransaction() {
        return database.transactionOpen();
    }

    public List<Quota> findForOwners(List<Long> keyIds, Long teamId) {
        return database.inTransaction(em -> load(em, keyIds, teamId));
    }

    public List<Quota> findByOwner(String ownerType, long ownerId) {
        return database.inTransaction(em -> em.createQuery(
                        "select q from Quota q where q.ownerType = :type and q.ownerId = :id order by q.id", Quota.class)
                .setParameter("type", ownerType).setParameter("id", ownerId).getResultList());
    }

    /**
     * In one transaction: rolls each applicable row into its current window, then reserves one request or
     * {@code tokens} on each with {@code used + reserved + amount <= limit}, and records the hold. If any
     * row refuses, the whole transaction is rolled back and that row is returned as it stands.
     */
    public ReserveOutcome reserveAll(long holdId, String nodeId, List<Long> keyIds, Long teamId, long tokens,
                                     Function<Quota, Instant> windowStart, Instant now) {
        requirePositive(tokens);
        try {
            return database.inTransaction(em -> {
                List<Quota> rows = load(em, keyIds, teamId);
                List<Long> ordered = rows.stream().map(Quota::getId).sorted().toList();
                em.unwrap(org.hibernate.Session.class).doWork(c -> lockInOrder(c, ordered));
                List<Long> reserved = new ArrayList<>();
                for (Quota row : rows) {
                    roll(em, row, windowStart.apply(row));
                    long n = Quota.METRIC_REQUESTS.equals(row.getMetric()) ? 1 : tokens;
                    int updated = em.createNativeQuery("update quotas set reserved = reserved + ?1"
                                    + " where id = ?2 and used + reserved + ?1 <= limit_value")
                            .setParameter(1, n).setParameter(2, row.getId()).executeUpdate();
                    if (updated == 0) {
                        throw new Refused(row.getId());
                    }
                    reserved.add(row.getId());
                }
                Hold hold = new Hold(holdId, List.copyOf(reserved), tokens);
                if (!reserved.isEmpty()) {
                    em.unwrap(org.hibernate.Session.class).doWork(c -> insertHold(c, hold, nodeId, now));
                }
                return new ReserveOutcome(hold, null);
            });
        } catch (Refused refused) {
            Quota row = database.inTransaction(em -> em.find(Quota.class, refused.quotaId));
            return new ReserveOutcome(null, row);
        }
    }

    /** Sets the owner's limits to exactly {@code wanted}; counters of limits that stay are kept. */
    public List<Quota> replaceForOwner(String ownerType, long ownerId, List<Quota> wanted) {
        return database.inTransaction(em -> {
            List<Quota> existing = em.createQuery(
                            "select q from Quota q where q.ownerType = :type and q.ownerId = :id", Quota.class)
                    .setParameter("type", ownerType).setParameter("id", ownerId).getResultList();
            List<Quota> result = new ArrayList<>();
            for (Quota w : wanted) {
                Optional<Quota> same = existing.stream().filter(q -> q.getMetric().equals(w.getMetric())
                        && q.getPeriod().equals(w.getPeriod())).findFirst();
                if (same.isPresent()) {
                    same.get().setLimit(w.getLimit());
                    existing.remove(same.get());
                    result.add(same.get());
                } else {
                    em.persist(w);
                    result.add(w);
                }
            }
            existing.forEach(em::remove);
            return result;
        });
    }

    /**
     * Manual reset: the used counters start from zero, and {@code reserved} becomes exactly what live holds
     * account for, so reservations that leaked (their holds reclaimed) are cleared while requests in flight
     * keep theirs and settle normally. The rows are locked first, so the sum sees every committed hold.
     */
    public int resetOwner(String ownerType, long ownerId) {
        return database.inTransaction(em -> {
            em.createNativeQuery("select id from quotas where owner_type = ?1 and owner_id = ?2 order by id for update")
                    .setParameter(1, ownerType).setParameter(2, ownerId).getResultList();
            return em.createNativeQuery("update quotas set used = 0, reserved = (select coalesce(sum(h.amount), 0)"
                            + " from quota_holds h where h.quota_id = quotas.id) where owner_type = ?1 and owner_id = ?2")
                    .setParameter(1, ownerType).setParameter(2, ownerId).executeUpdate();
        });
    }

    /** Deletes an owner's limits and the holds on them, inside the caller's transaction. */
    static void deleteByOwner(EntityManager em, String ownerType, long ownerId) {
        em.createNativeQuery("delete from quota_holds where quota_id in (select id from quotas where owner_type = ?1"
                        + " and owner_id = ?2)").setParameter(1, ownerType).setParameter(2, ownerId).executeUpdate();
        em.createNativeQuery("delete from quotas where owner_type = ?1 and owner_id = ?2")
                .setParameter(1, ownerType).setParameter(2, ownerId).executeUpdate();
    }

    private static void roll(EntityManager em, Quota row, Instant windowStart) {
        if (windowStart == null) {
            return;
        }
        em.createNativeQuery("update quotas set used = 0, window_start = ?1"
                        + " where id = ?2 and (window_start is null or window_start < ?1)")
                .setParameter(1, windowStart).setParameter(2, row.getId()).executeUpdate();
    }

    private static List<Quota> load(EntityManager em, List<Long> keyIds, Long teamId) {
        List<Quota> rows = new ArrayList<>();
        if (!keyIds.isEmpty()) {
            rows.addAll(em.createQuery("select q from Quota q where q.ownerType = 'key' and q.ownerId in :ids",
                    Quota.class).setParameter("ids", keyIds).getResultList());
        }
        if (teamId != null) {
            rows.addAll(em.createQuery("select q from Quota q where q.ownerType = 'team' and q.ownerId = :id",
                    Quota.class).setParameter("id", teamId).getResultList());
        }
        rows.sort(java.util.Comparator.comparing(Quota::getId));
        return rows;
    }
}
