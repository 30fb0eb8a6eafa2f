package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Budgets (cost limits) as the alert job reads them, and the alerts sent for them: each threshold of a budget is
 * claimed once per window by the one node that inserts its row in {@code budget_alerts}, whichever node sees it
 * first; a reset of the budget's counters forgets its alerts ({@link QuotaRepository#resetOwner}).
 */
@ApplicationScoped
public class BudgetAlertRepository {

    @Inject
    Database database;

    /** A budget (a cost limit) as the alert job reads it, with its owner's name. */
    public record Budget(long quotaId, OwnerType ownerType, long ownerId, String ownerName, Period period, String model,
                         long limit, long used, Instant windowStart, Instant refusedAt) {
    }

    /** Every budget with a positive limit. */
    public List<Budget> budgets() {
        return database.inTransaction(em -> {
            List<Budget> result = new ArrayList<>();
            for (Object row : em.createNativeQuery("select q.id, q.owner_type, q.owner_id, coalesce(k.name, t.name),"
                    + " q.period, q.model, q.limit_value, q.used, q.window_start, q.refused_at from quotas q"
                    + " left join api_keys k on q.owner_type = 'key' and k.id = q.owner_id"
                    + " left join teams t on q.owner_type = 'team' and t.id = q.owner_id"
                    + " where q.metric = 'cost' and q.limit_value > 0 order by q.id").getResultList()) {
                Object[] r = (Object[]) row;
                result.add(new Budget(((Number) r[0]).longValue(), OwnerType.parse((String) r[1]), ((Number) r[2]).longValue(),
                        r[3] == null ? "#" + r[2] : (String) r[3], Period.parse((String) r[4]), (String) r[5], ((Number) r[6]).longValue(),
                        ((Number) r[7]).longValue(), instant(r[8]), instant(r[9])));
            }
            return result;
        });
    }

    private static Instant instant(Object value) {
        if (value == null || value instanceof Instant) {
            return (Instant) value;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("Not a time: " + value.getClass());
    }

    /**
     * Claims the alert of {@code threshold} percent of a budget in the window starting {@code window}: true for the
     * one node that claimed it first, which sends it; false when it was claimed already.
     */
    public boolean claimAlert(long quotaId, int threshold, Instant window, Instant now) {
        try {
            return database.inTransaction(em -> em.createNativeQuery("insert into budget_alerts (quota_id, threshold,"
                            + " window_start, fired_at) select ?1, ?2, ?3, ?4 where not exists"
                            + " (select 1 from budget_alerts where quota_id = ?1 and threshold = ?2 and window_start = ?3)")
                    .setParameter(1, quotaId).setParameter(2, threshold).setParameter(3, window).setParameter(4, now)
                    .executeUpdate() == 1);
        } catch (RuntimeException e) {
            if (isUniqueViolation(e)) {
                return false; // another node claimed it at the same moment
            }
            throw e;
        }
    }

    /** Forgets alerts of windows that started before {@code before} (not of total budgets, whose window is the epoch). */
    public int forgetAlertsBefore(Instant before) {
        return database.inTransaction(em -> em.createNativeQuery("delete from budget_alerts where window_start < ?1"
                + " and window_start > ?2").setParameter(1, before).setParameter(2, Instant.EPOCH).executeUpdate());
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }
}
