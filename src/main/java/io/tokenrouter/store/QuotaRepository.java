package io.tokenrouter.store;

import static io.tokenrouter.store.QuotaSql.*;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.sql.PreparedStatement;
import java.time.Instant;

import java.util.ArrayList;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Quota rows and their counters. Every counter change is a conditional {@code UPDATE} evaluated by the
 * database under its row lock, never a read-modify-write in Java, so concurrent requests on any number
 * of nodes cannot take more than a limit allows.
 */
@ApplicationScoped
public class QuotaRepository {

    @Inject
    Database database;

    /** Whether the database is known to be unreachable now (allowances then keep serving, see QuotaGate). */
    public boolean unreachable() {
        return database.outage().down();
    }

    /**
     * A reservation held on quota rows: on each row the amount of its metric (one request, tokens, or cost
     * in millionths of a dollar), recorded in {@code quota_holds} under {@code holdId} until settled or
     * reclaimed. A row whose metric's amount is zero holds nothing.
     */
    public record Hold(long holdId, List<Long> quotaIds, Amounts amounts) {
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




    /**
     * Settles a hold in one transaction: removes its rows and, if they were still there (not reclaimed
     * meanwhile), takes its amounts off {@code reserved}; then adds what was used. Deleting the hold rows
     * first makes settlement and reclaiming exclusive: only the one that deleted them gives them back.
     */
    public void settle(Hold hold, Amounts used) {
        resize(hold.holdId(), hold.quotaIds(), hold.amounts(), Amounts.ZERO, used.atLeastZero());
    }

    /**
     * An amount per metric: {@code requests} on request rows, {@code tokens} on token rows, {@code cost} (in
     * millionths of a US dollar) on cost rows.
     */
    public record Amounts(long requests, long tokens, long cost) {
        public static final Amounts ZERO = new Amounts(0, 0, 0);

        /** The amount of {@code metric}. */
        public long of(Metric metric) {
            return switch (metric) {
                case REQUESTS -> requests;
                case TOKENS -> tokens;
                case COST -> cost;
            };
        }

        public boolean isZero() {
            return requests == 0 && tokens == 0 && cost == 0;
        }

        public Amounts atLeastZero() {
            return new Amounts(Math.max(0, requests), Math.max(0, tokens), Math.max(0, cost));
        }
    }

    /**
     * What {@link #takeBlock} took: the same amount on every row of a metric, which metrics the rows limit
     * at all (a metric without a row is not limited), and the periods of the rows:
     * a block serves requests only in the windows it was taken in.
     */
    public record Block(Amounts held, boolean limitsRequests, boolean limitsTokens, boolean limitsCost,
                        Set<Period> periods) {
    }

    /** The start of the current minute, hour, day, week and month, for rolling rows into their windows. */
    public record Windows(Instant minute, Instant hour, Instant day, Instant week, Instant month) {

        /** The windows {@code now} falls in. */
        public static Windows at(Instant now) {
            return new Windows(Period.MINUTE.windowStart(now), Period.HOUR.windowStart(now),
                    Period.DAY.windowStart(now), Period.WEEK.windowStart(now), Period.MONTH.windowStart(now));
        }

        /** The start of {@code period}'s current window; null for a total. */
        public Instant of(Period period) {
            return switch (period) {
                case MINUTE -> minute;
                case HOUR -> hour;
                case DAY -> day;
                case WEEK -> week;
                case MONTH -> month;
                case TOTAL -> null;
            };
        }
    }

    /**
     * Takes a node's allowance in one transaction: locks the rows in id order, rolls each into its current
     * window, and reserves on every row of a metric the same amount: {@code 1/fraction} of the smallest
     * headroom (limit − used − reserved) among the rows of that metric, at least what one request
     * ({@code ask}) needs and at most {@code maxRequests} requests (tokens and cost: that many times the
     * request's). Null, with nothing reserved, when the rows are not all there or one cannot take even this
     * one request; {@link #reserveAll} then finds the limit that refused.
     */
    public Block takeBlock(long holdId, String nodeId, List<Long> ids, Amounts ask, int fraction, long maxRequests,
                           Instant now, Windows windows) {
        requirePositive(ask.tokens());
        return transaction(database, "Quota allowance", c -> {
            Block block = headroom(c, ids, ask, fraction, maxRequests, windows);
            if (block == null) {
                return null;
            }
            String sql = "update quotas set used = case when " + STALE + " then 0 else used end,"
                    + " window_start = case when " + STALE + " then " + WINDOW + " else window_start end,"
                    + " reserved = reserved + " + AMOUNTS + " where id in (" + placeholders(ids.size()) + ")";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = windows(s, 1, windows);
                i = windows(s, i, windows);
                i = windows(s, i, windows);
                i = amounts(s, i, block.held());
                ids(s, i, ids);
                s.executeUpdate();
            }
            insertHold(c, holdId, ids, block.held(), nodeId, now);
            return block;
        });
    }

    /**
     * Changes a hold in one transaction: what it holds on each row goes from {@code held} to {@code keep}
     * (per metric; all zero deletes it), {@code reserved} drops by the difference, and {@code used} grows
     * by {@code used}. If the hold was reclaimed meanwhile, {@code reserved} was given back already and
     * only {@code used} is added. Rows are locked in id order first, as everywhere.
     */
    public void resize(long holdId, List<Long> ids, Amounts held, Amounts keep, Amounts used) {
        transaction(database, "Quota settlement", c -> {
            lockInOrder(c, ids, database.postgres());
            int holds;
            if (keep.isZero()) {
                holds = deleteHold(c, holdId);
            } else {
                // a hold row holds a positive amount: a metric it keeps none of loses its rows first
                holds = 0;
                for (Metric metric : Metric.values()) {
                    if (keep.of(metric) == 0) {
                        holds += deleteHoldRows(c, holdId, metric);
                    }
                }
                try (PreparedStatement s = c.prepareStatement("update quota_holds set amount = (select " + AMOUNTS
                        + " from quotas q where q.id = quota_holds.quota_id) where hold_id = ?")) {
                    int i = amounts(s, 1, keep);
                    s.setLong(i, holdId);
                    holds += s.executeUpdate();
                }
            }
            Amounts released = new Amounts(Math.max(0, held.requests() - keep.requests()),
                    Math.max(0, held.tokens() - keep.tokens()), Math.max(0, held.cost() - keep.cost()));
            try (PreparedStatement s = c.prepareStatement("update quotas set reserved = reserved - case when ? = 1"
                    + " then " + AMOUNTS + " else 0 end, used = used + " + AMOUNTS
                    + " where id in (" + placeholders(ids.size()) + ")")) {
                s.setInt(1, holds > 0 ? 1 : 0);
                int i = amounts(s, 2, released);
                i = amounts(s, i, used);
                ids(s, i, ids);
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





    private static void requirePositive(long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("A reservation needs a positive token amount, not " + tokens);
        }
    }



    /** Whether the caller is inside a transaction, which may hold quota rows locked that a separate connection would wait for. */
    public boolean callerInTransaction() {
        return database.transactionOpen();
    }

    public List<Quota> findForOwners(List<Long> keyIds, Long teamId) {
        return database.inTransaction(em -> load(em, keyIds, teamId));
    }

    /**
     * Notes that a limit refused a request, once per window: only when the row (as read for the refusal) has no
     * refusal in the current window yet, so a stream of refused requests writes nothing more.
     */
    public void markRefused(Quota row, Instant windowStart, Instant now) {
        Instant since = windowStart == null ? Instant.EPOCH : windowStart;
        if (row.getRefusedAt() != null && !row.getRefusedAt().isBefore(since)) {
            return;
        }
        database.inTransaction(em -> em.createNativeQuery("update quotas set refused_at = ?1 where id = ?2 and"
                        + " (refused_at is null or refused_at < ?3)").setParameter(1, now).setParameter(2, row.getId())
                .setParameter(3, since).executeUpdate());
    }

    public List<Quota> findByOwner(OwnerType ownerType, long ownerId) {
        return database.inTransaction(em -> em.createQuery(
                        "select q from Quota q where q.ownerType = :type and q.ownerId = :id order by q.id", Quota.class)
                .setParameter("type", ownerType).setParameter("id", ownerId).getResultList());
    }

    /**
     * In one transaction: rolls each applicable row (those {@code applies} accepts) into its current window,
     * then reserves the amount of its metric ({@code ask}) on each with {@code used + reserved + amount <= limit},
     * and records the hold. If any row refuses, the whole transaction is rolled back and that row is
     * returned as it stands. A row whose metric the request does not use (an amount of zero) is left alone.
     */
    public ReserveOutcome reserveAll(long holdId, String nodeId, List<Long> keyIds, Long teamId, Amounts ask,
                                     Predicate<Quota> applies, Function<Quota, Instant> windowStart,
                                     Instant now) {
        requirePositive(ask.tokens());
        try {
            return database.inTransaction(em -> {
                List<Quota> rows = load(em, keyIds, teamId).stream().filter(applies).toList();
                List<Long> ordered = rows.stream().map(Quota::getId).sorted().toList();
                em.unwrap(org.hibernate.Session.class).doWork(c -> lockInOrder(c, ordered, database.postgres()));
                List<Long> reserved = new ArrayList<>();
                for (Quota row : rows) {
                    long n = ask.of(row.getMetric());
                    if (n <= 0) {
                        continue;
                    }
                    roll(em, row, windowStart.apply(row));
                    int updated = em.createNativeQuery("update quotas set reserved = reserved + ?1"
                                    + " where id = ?2 and used + reserved + ?1 <= limit_value")
                            .setParameter(1, n).setParameter(2, row.getId()).executeUpdate();
                    if (updated == 0) {
                        throw new Refused(row.getId());
                    }
                    reserved.add(row.getId());
                }
                Hold hold = new Hold(holdId, List.copyOf(reserved), ask);
                if (!reserved.isEmpty()) {
                    em.unwrap(org.hibernate.Session.class).doWork(c -> insertHold(c, holdId, hold.quotaIds(), ask, nodeId, now));
                }
                return new ReserveOutcome(hold, null);
            });
        } catch (Refused refused) {
            Quota row = database.inTransaction(em -> em.find(Quota.class, refused.quotaId));
            return new ReserveOutcome(null, row);
        }
    }

    /** Sets the owner's limits to exactly {@code wanted}; counters of limits that stay are kept. */
    public List<Quota> replaceForOwner(OwnerType ownerType, long ownerId, List<Quota> wanted) {
        return database.inTransaction(em -> {
            List<Quota> existing = em.createQuery(
                            "select q from Quota q where q.ownerType = :type and q.ownerId = :id", Quota.class)
                    .setParameter("type", ownerType).setParameter("id", ownerId).getResultList();
            List<Quota> result = new ArrayList<>();
            for (Quota w : wanted) {
                Optional<Quota> same = existing.stream().filter(q -> q.getMetric().equals(w.getMetric())
                        && q.getPeriod().equals(w.getPeriod()) && q.getModel().equals(w.getModel())).findFirst();
                if (same.isPresent()) {
                    same.get().setLimit(w.getLimit());
                    same.get().setOutageCredit(w.getOutageCredit());
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
     * keep theirs and settle normally. The rows are locked first, so the sum sees every committed hold. Budget
     * alerts start afresh: each threshold fires again when it is reached again.
     */
    public int resetOwner(OwnerType ownerType, long ownerId) {
        String owner = ownerType.wireName();
        return database.inTransaction(em -> {
            em.createNativeQuery("select id from quotas where owner_type = ?1 and owner_id = ?2 order by id for update")
                    .setParameter(1, owner).setParameter(2, ownerId).getResultList();
            em.createNativeQuery("delete from budget_alerts where quota_id in (select id from quotas where owner_type = ?1"
                    + " and owner_id = ?2)").setParameter(1, owner).setParameter(2, ownerId).executeUpdate();
            return em.createNativeQuery("update quotas set used = 0, refused_at = null, reserved = (select"
                            + " coalesce(sum(h.amount), 0) from quota_holds h where h.quota_id = quotas.id)"
                            + " where owner_type = ?1 and owner_id = ?2")
                    .setParameter(1, owner).setParameter(2, ownerId).executeUpdate();
        });
    }

    /** Deletes an owner's limits and the holds on them, inside the caller's transaction. */
    static void deleteByOwner(EntityManager em, OwnerType type, long ownerId) {
        String ownerType = type.wireName();
        em.createNativeQuery("delete from budget_alerts where quota_id in (select id from quotas where owner_type = ?1"
                        + " and owner_id = ?2)").setParameter(1, ownerType).setParameter(2, ownerId).executeUpdate();
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
                        + " where id = ?2 and " + QuotaWindow.staleSql("?1"))
                .setParameter(1, windowStart).setParameter(2, row.getId()).executeUpdate();
    }

    private static List<Quota> load(EntityManager em, List<Long> keyIds, Long teamId) {
        List<Quota> rows = new ArrayList<>();
        if (!keyIds.isEmpty()) {
            rows.addAll(em.createQuery("select q from Quota q where q.ownerType = :type and q.ownerId in :ids",
                    Quota.class).setParameter("type", OwnerType.KEY).setParameter("ids", keyIds).getResultList());
        }
        if (teamId != null) {
            rows.addAll(em.createQuery("select q from Quota q where q.ownerType = :type and q.ownerId = :id",
                    Quota.class).setParameter("type", OwnerType.TEAM).setParameter("id", teamId).getResultList());
        }
        rows.sort(java.util.Comparator.comparing(Quota::getId));
        return rows;
    }
}
