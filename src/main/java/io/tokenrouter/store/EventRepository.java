package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Operational log entries. */
@ApplicationScoped
public class EventRepository {

    /** One stored event. */
    public record Event(long id, Instant createdAt, String level, String category, String actor, String message) {
    }

    @Inject
    Database database;

    public void store(Instant at, String level, String category, String actor, String message) {
        database.run(em -> em.createNativeQuery("insert into events (created_at, level, category, actor, message)"
                        + " values (?1, ?2, ?3, ?4, ?5)")
                .setParameter(1, at).setParameter(2, level).setParameter(3, category)
                .setParameter(4, actor == null ? null : cut(actor, 200)).setParameter(5, cut(message, 2000))
                .executeUpdate());
    }

    /** Newest first, filtered by level, category and text (any may be null). */
    public Page<Event> search(String level, String category, String text, int offset, int limit) {
        return database.inTransaction(em -> {
            StringBuilder where = new StringBuilder(" where 1 = 1");
            List<Object> params = new ArrayList<>();
            if (level != null) {
                params.add(level);
                where.append(" and level = ?").append(params.size());
            }
            if (category != null) {
                params.add(category);
                where.append(" and category = ?").append(params.size());
            }
            if (text != null && !text.isBlank()) {
                params.add("%" + text.toLowerCase(java.util.Locale.ROOT) + "%");
                where.append(" and (lower(message) like ?").append(params.size())
                        .append(" or lower(actor) like ?").append(params.size()).append(")");
            }
            var count = em.createNativeQuery("select count(*) from events" + where);
            var query = em.createNativeQuery("select id, created_at, level, category, actor, message from events" + where
                    + " order by id desc offset " + offset + " rows fetch next " + limit + " rows only");
            for (int i = 0; i < params.size(); i++) {
                count.setParameter(i + 1, params.get(i));
                query.setParameter(i + 1, params.get(i));
            }
            List<Event> events = new ArrayList<>();
            for (Object row : query.getResultList()) {
                Object[] r = (Object[]) row;
                events.add(new Event(((Number) r[0]).longValue(), toInstant(r[1]), (String) r[2], (String) r[3],
                        (String) r[4], (String) r[5]));
            }
            return new Page<>(events, ((Number) count.getSingleResult()).longValue());
        });
    }

    public int deleteOlderThan(Instant before) {
        return database.inTransaction(em -> em.createNativeQuery("delete from events where created_at < ?1")
                .setParameter(1, before).executeUpdate());
    }

    static Instant toInstant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("Unexpected time value " + value);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }
}
