package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Captured request/answer pairs, grouped into threads. */
@ApplicationScoped
public class ConversationRepository {

    /** One captured exchange. */
    public record Turn(long id, String threadId, String requestId, String responseId, Instant createdAt, Long keyId,
                       String keyName, String model, String endpoint, String requestText, String responseText,
                       String continuationHash, boolean truncated) {
    }

    /** A thread in a listing: its first and last time, size, key and a preview. */
    public record ThreadSummary(String threadId, Instant startedAt, Instant lastAt, long turns, Long keyId,
                                String keyName, String model) {
    }

    @Inject
    Database database;

    public void store(Turn t) {
        database.run(em -> em.createNativeQuery("insert into conversations (thread_id, request_id, response_id,"
                        + " created_at, key_id, key_name, model, endpoint, request_text, response_text, continuation_hash,"
                        + " truncated) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
                .setParameter(1, t.threadId()).setParameter(2, t.requestId()).setParameter(3, t.responseId())
                .setParameter(4, t.createdAt()).setParameter(5, t.keyId()).setParameter(6, t.keyName())
                .setParameter(7, t.model()).setParameter(8, t.endpoint()).setParameter(9, t.requestText())
                .setParameter(10, t.responseText()).setParameter(11, t.continuationHash())
                .setParameter(12, t.truncated()).executeUpdate());
    }

    /** The thread of the latest turn of this key whose conversation the new request continues. */
    public Optional<String> threadByContinuation(Long keyId, String continuationHash) {
        return database.inTransaction(em -> em.createNativeQuery("select thread_id from conversations where"
                        + " continuation_hash = ?1 and (key_id = ?2 or (?2 is null and key_id is null))"
                        + " order by id desc fetch first 1 rows only")
                .setParameter(1, continuationHash).setParameter(2, keyId).getResultStream()
                .map(Object::toString).findFirst());
    }

    /** The thread of the turn of this key that answered {@code responseId}; another key's turns are never joined. */
    public Optional<String> threadByResponseId(Long keyId, String responseId) {
        return database.inTransaction(em -> em.createNativeQuery("select thread_id from conversations where"
                        + " response_id = ?1 and (key_id = ?2 or (?2 is null and key_id is null))"
                        + " order by id desc fetch first 1 rows only")
                .setParameter(1, responseId).setParameter(2, keyId).getResultStream().map(Object::toString).findFirst());
    }

    public Page<ThreadSummary> threads(String text, Long keyId, int offset, int limit) {
        return database.inTransaction(em -> {
            StringBuilder where = new StringBuilder(" where 1 = 1");
            List<Object> params = new ArrayList<>();
            if (keyId != null) {
                params.add(keyId);
                where.append(" and key_id = ?").append(params.size());
            }
            if (text != null && !text.isBlank()) {
                params.add("%" + text.toLowerCase(java.util.Locale.ROOT) + "%");
                where.append(" and (lower(request_text) like ?").append(params.size())
                        .append(" or lower(response_text) like ?").append(params.size()).append(")");
            }
            var count = em.createNativeQuery("select count(distinct thread_id) from conversations" + where);
            var query = em.createNativeQuery("select thread_id, min(created_at), max(created_at), count(*),"
                    + " max(key_id), max(key_name), max(model) from conversations" + where
                    + " group by thread_id order by max(created_at) desc offset " + offset + " rows fetch next "
                    + limit + " rows only");
            for (int i = 0; i < params.size(); i++) {
                count.setParameter(i + 1, params.get(i));
                query.setParameter(i + 1, params.get(i));
            }
            List<ThreadSummary> result = new ArrayList<>();
            for (Object row : query.getResultList()) {
                Object[] r = (Object[]) row;
                result.add(new ThreadSummary((String) r[0], EventRepository.toInstant(r[1]), EventRepository.toInstant(r[2]),
                        ((Number) r[3]).longValue(), r[4] == null ? null : ((Number) r[4]).longValue(), (String) r[5],
                        (String) r[6]));
            }
            return new Page<>(result, ((Number) count.getSingleResult()).longValue());
        });
    }

    public List<Turn> thread(String threadId) {
        return database.inTransaction(em -> {
            List<Turn> result = new ArrayList<>();
            for (Object row : em.createNativeQuery("select id, thread_id, request_id, response_id, created_at, key_id,"
                    + " key_name, model, endpoint, request_text, response_text, continuation_hash, truncated"
                    + " from conversations where thread_id = ?1 order by id").setParameter(1, threadId).getResultList()) {
                Object[] r = (Object[]) row;
                result.add(new Turn(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3],
                        EventRepository.toInstant(r[4]), r[5] == null ? null : ((Number) r[5]).longValue(), (String) r[6],
                        (String) r[7], (String) r[8], text(r[9]), text(r[10]), (String) r[11], (Boolean) r[12]));
            }
            return result;
        });
    }

    public int deleteThread(String threadId) {
        return database.inTransaction(em -> em.createNativeQuery("delete from conversations where thread_id = ?1")
                .setParameter(1, threadId).executeUpdate());
    }

    public int deleteAll() {
        return database.inTransaction(em -> em.createNativeQuery("delete from conversations").executeUpdate());
    }

    public int deleteOlderThan(Instant before) {
        return database.inTransaction(em -> em.createNativeQuery("delete from conversations where created_at < ?1")
                .setParameter(1, before).executeUpdate());
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof java.sql.Clob clob) {
            try {
                return clob.getSubString(1, (int) clob.length());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return value.toString();
    }
}
