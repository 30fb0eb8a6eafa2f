package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** Client keys, looked up by the hash of their secret. */
@ApplicationScoped
public class ApiKeyRepository {

    @Inject
    Database database;

    public Optional<ApiKey> findByHash(String keyHash) {
        return database.inTransaction(em -> em.createQuery(
                        "select k from ApiKey k where k.keyHash = :hash", ApiKey.class)
                .setParameter("hash", keyHash).getResultStream().findFirst());
    }

    public Optional<ApiKey> find(long id) {
        return database.inTransaction(em -> Optional.ofNullable(em.find(ApiKey.class, id)));
    }

    public ApiKey store(ApiKey key) {
        return database.inTransaction(em -> {
            ApiKey stored = key.getId() == null ? persist(em, key) : em.merge(key);
            ConfigVersion.bump(em);
            return stored;
        });
    }

    private static ApiKey persist(jakarta.persistence.EntityManager em, ApiKey key) {
        em.persist(key);
        return key;
    }
}
