package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which key and team each Responses API answer (or conversation) belonged to, by the provider and its id. An
 * id stored already keeps its first owner.
 */
@ApplicationScoped
public class ResponseOwnerRepository {

    /**
     * The key and team an id was answered for (either may be null: an unsaved key, a key without team), and
     * the context a continuation of it prepends (its prompt and completion tokens; null when not known).
     */
    public record Owner(String provider, String id, Long keyId, Long teamId, Instant createdAt, Long contextTokens) {

        public Owner(String provider, String id, Long keyId, Long teamId, Instant createdAt) {
            this(provider, id, keyId, teamId, createdAt, null);
        }
    }

    @Inject
    Database database;

    /** Stores the owners in one transaction; an id stored already (by any node) keeps its first owner. */
    public void store(List<Owner> owners) {
        database.run(em -> {
            for (Owner o : owners) {
                if (!database.postgres() && find(o.provider(), o.id()).isPresent()) {
                    continue; // the embedded H2 is one node's: nobody else inserts between the look and the insert
                }
                em.createNativeQuery("insert into response_owners (provider, response_id, key_id, team_id, created_at,"
                                + " context_tokens) values (?1, ?2, ?3, ?4, ?5, ?6)"
                                + (database.postgres() ? " on conflict do nothing" : ""))
                        .setParameter(1, o.provider()).setParameter(2, o.id()).setParameter(3, o.keyId())
                        .setParameter(4, o.teamId()).setParameter(5, o.createdAt()).setParameter(6, o.contextTokens())
                        .executeUpdate();
            }
        });
    }

    public Optional<Owner> find(String provider, String id) {
        return database.inTransaction(em -> em.createNativeQuery("select provider, response_id, key_id, team_id, created_at,"
                        + " context_tokens from response_owners where provider = ?1 and response_id = ?2")
                .setParameter(1, provider).setParameter(2, id).getResultStream().map(row -> {
                    Object[] r = (Object[]) row;
                    return new Owner((String) r[0], (String) r[1], r[2] == null ? null : ((Number) r[2]).longValue(),
                            r[3] == null ? null : ((Number) r[3]).longValue(), EventRepository.toInstant(r[4]),
                            r[5] == null ? null : ((Number) r[5]).longValue());
                }).findFirst());
    }

    public int deleteOlderThan(Instant before) {
        return database.inTransaction(em -> em.createNativeQuery("delete from response_owners where created_at < ?1")
                .setParameter(1, before).executeUpdate());
    }
}
