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
import java.util.function.ToLongFunction;

/**
 * Quota rows and their counters. Every counter change is a conditional {@code UPDATE} evaluated by the
 * database under its row lock, never a read-modify-write in Java, so concurrent requests on any number
 * of nodes cannot take more than a limit allows.
 */
@ApplicationScoped
public class QuotaRepository {

    @Inject
    Database database;

    /** An amount reserved on one quota row, to be settled later. */
    public record Reservation(long quotaId, long amount) {
    }

    /** The outcome of {@link #reserveAll}: what was reserved, or the row that refused (nothing reserved then). */
    public record ReserveOutcome(List<Reservation> reserved, List<Quota> rows, Quota refusedBy) {
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
    private static final String AMOUNT = "case metric when 'requests' then 1 else ? end";

    /**
     * The hot path: one conditional {@code UPDATE} over the given rows, in plain JDBC, that rolls each into
     * its current window and reserves one request or {@code tokens} on it where it fits. True when every
     * row took it (committed); false when any did not or a row is gone (rolled back, nothing reserved),
     * in which case {@link #reserveAll} finds out which limit refused.
     */
    public boolean reserveFast(List<Long> ids, long tokens, Instant day, Instant week, Instant month) {
        String sql = "update quotas set used = case when " + STALE + " then 0 else used end,"
                + " window_start = case when " + STALE + " then " + WINDOW + " else window_start end,"
                + " reserved = reserved + " + AMOUNT
                + " where id in (" + "?,".repeat(ids.size() - 1) + "?)"
                + " and (case when " + STALE + " then 0 else used end) + reserved + " + AMOUNT + " <= limit_value";
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = windows(s, 1, day, week, month);
                i = windows(s, i, day, week, month);
                i = windows(s, i, day, week, month);
                s.setLong(i++, tokens);
                for (Long id : ids) {
                    s.setLong(i++, id);
                }
                i = windows(s, i, day, week, month);
                s.setLong(i, tokens);
                boolean all = s.executeUpdate() == ids.size();
                if (all) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return all;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Quota reservation failed: " + e.getMessage(), e);
        }
    }

    /** The hot path's settlement: one {@code UPDATE}, replacing the reservation with what was used. */
    public void settleFast(List<Long> ids, long tokensReserved, long requestsUsed, long tokensUsed) {
        String sql = "update quotas set reserved = reserved - " + AMOUNT + ","
                + " used = used + case metric when 'requests' then ? else ? end"
                + " where id in (" + "?,".repeat(ids.size() - 1) + "?)";
        try (Connection c = database.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, tokensReserved);
            s.setLong(2, requestsUsed);
            s.setLong(3, tokensUsed);
            int i = 4;
            for (Long id : ids) {
                s.setLong(i++, id);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Quota settlement failed: " + e.getMessage(), e);
        }
    }

    private static int windows(PreparedStatement s, int i, Instant day, Instant week, Instant month) throws SQLException {
        s.setObject(i, OffsetDateTime.ofInstant(day, ZoneOffset.UTC));
        s.setObject(i + 1, OffsetDateTime.ofInstant(week, ZoneOffset.UTC));
        s.setObject(i + 2, OffsetDateTime.ofInstant(month, ZoneOffset.UTC));
        return i + 3;
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
     * In one transaction: rolls each applicable row into its current window, then reserves
     * {@code amount(row)} on each with {@code used + reserved + amount <= limit}. If any row refuses,
     * the whole transaction is rolled back and that row is returned as it stands.
     */
    public ReserveOutcome reserveAll(List<Long> keyIds, Long teamId, ToLongFunction<Quota> amount,
                                     Function<Quota, Instant> windowStart) {
        try {
            return database.inTransaction(em -> {
                List<Quota> rows = load(em, keyIds, teamId);
                List<Reservation> reserved = new ArrayList<>();
                for (Quota row : rows) {
                    roll(em, row, windowStart.apply(row));
                    long n = amount.applyAsLong(row);
                    if (n <= 0) {
                        continue;
                    }
                    int updated = em.createNativeQuery("update quotas set reserved = reserved + ?1"
                                    + " where id = ?2 and used + reserved + ?1 <= limit_value")
                            .setParameter(1, n).setParameter(2, row.getId()).executeUpdate();
                    if (updated == 0) {
                        throw new Refused(row.getId());
                    }
                    reserved.add(new Reservation(row.getId(), n));
                }
                return new ReserveOutcome(reserved, rows, null);
            });
        } catch (Refused refused) {
            Quota row = database.inTransaction(em -> em.find(Quota.class, refused.quotaId));
            return new ReserveOutcome(List.of(), List.of(), row);
        }
    }

    /** Replaces reservations with actual usage, in one transaction. */
    public void settle(List<Reservation> reservations, ToLongFunction<Reservation> actual) {
        if (reservations.isEmpty()) {
            return;
        }
        database.run(em -> {
            for (Reservation r : reservations) {
                em.createNativeQuery("update quotas set reserved = reserved - ?1, used = used + ?2 where id = ?3")
                        .setParameter(1, r.amount()).setParameter(2, actual.applyAsLong(r))
                        .setParameter(3, r.quotaId()).executeUpdate();
            }
        });
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

    /** Manual reset: the used counters start from zero; in-flight reservations stay and settle normally. */
    public int resetOwner(String ownerType, long ownerId) {
        return database.inTransaction(em -> em.createNativeQuery(
                        "update quotas set used = 0 where owner_type = ?1 and owner_id = ?2")
                .setParameter(1, ownerType).setParameter(2, ownerId).executeUpdate());
    }

    public void deleteByOwner(EntityManager em, String ownerType, long ownerId) {
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
