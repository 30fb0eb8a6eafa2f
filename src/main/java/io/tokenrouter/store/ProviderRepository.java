package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Providers and the models each one listed at its last refresh. */
@ApplicationScoped
public class ProviderRepository {

    @Inject
    Database database;

    public List<Provider> findAll() {
        return database.inTransaction(em -> em.createQuery(
                "select p from Provider p order by p.position, p.id", Provider.class).getResultList());
    }

    public Optional<Provider> find(String name) {
        return database.inTransaction(em -> em.createQuery(
                        "select p from Provider p where p.name = :name", Provider.class)
                .setParameter("name", name).getResultStream().findFirst());
    }

    /** Inserts or updates the provider and bumps the configuration version so every node rebuilds its routes. */
    public Provider store(Provider provider) {
        return database.inTransaction(em -> {
            provider.setUpdatedAt(Instant.now());
            Provider merged = provider.getId() == null ? persist(em, provider) : em.merge(provider);
            ConfigVersion.bump(em, ConfigVersion.Kind.ROUTING);
            return merged;
        });
    }

    /** Deletes the provider and its discovered models; false when there is no such provider. */
    public boolean delete(String name) {
        return deleteIf(name, null);
    }

    /**
     * Deletes the provider and its discovered models if its source is still {@code source} (any, when null: an
     * administrator may have made it theirs meanwhile); false when it was not deleted.
     */
    public boolean deleteIf(String name, String source) {
        return database.inTransaction(em -> {
            Optional<Provider> found = em.createQuery("select p from Provider p where p.name = :name", Provider.class)
                    .setParameter("name", name).getResultStream().findFirst()
                    .filter(p -> source == null || source.equals(p.getSource()));
            if (found.isEmpty()) {
                return false;
            }
            em.createQuery("delete from ProviderModel m where m.providerId = :id")
                    .setParameter("id", found.get().getId()).executeUpdate();
            em.remove(found.get());
            ConfigVersion.bump(em, ConfigVersion.Kind.ROUTING);
            return true;
        });
    }

    /** A node saw the detected provider's server: its {@code updated_at} moves on, the routes stay as they are. */
    public void markSeen(long providerId, Instant at) {
        database.run(em -> em.createQuery("update Provider p set p.updatedAt = :at where p.id = :id and p.source = :source")
                .setParameter("at", at).setParameter("id", providerId).setParameter("source", Provider.SOURCE_DETECTED)
                .executeUpdate());
    }

    public List<ProviderModel> findAllModels() {
        return database.inTransaction(em -> em.createQuery(
                "select m from ProviderModel m order by m.providerId, m.modelId", ProviderModel.class).getResultList());
    }

    /** Replaces the provider's model list with what it just reported. */
    public void replaceModels(long providerId, List<ProviderModel> models, Instant refreshedAt) {
        database.run(em -> {
            em.createQuery("delete from ProviderModel m where m.providerId = :id")
                    .setParameter("id", providerId).executeUpdate();
            models.forEach(em::persist);
            em.createQuery("update Provider p set p.modelsRefreshedAt = :at, p.lastError = null where p.id = :id")
                    .setParameter("at", refreshedAt).setParameter("id", providerId).executeUpdate();
            ConfigVersion.bump(em, ConfigVersion.Kind.ROUTING);
        });
    }

    public void recordError(long providerId, String error) {
        database.run(em -> em.createQuery("update Provider p set p.lastError = :error where p.id = :id")
                .setParameter("error", error.length() > 2000 ? error.substring(0, 2000) : error)
                .setParameter("id", providerId).executeUpdate());
    }

    private static Provider persist(jakarta.persistence.EntityManager em, Provider provider) {
        if (provider.getPosition() == 0) {
            // after the others, but before those the gateway added by itself, which never become the first provider
            Number max = (Number) em.createQuery("select coalesce(max(p.position), 0) from Provider p"
                    + " where p.source not in (:auto, :detected)").setParameter("auto", Provider.SOURCE_AUTO)
                    .setParameter("detected", Provider.SOURCE_DETECTED).getSingleResult();
            provider.setPosition(max.intValue() + 1);
        }
        em.persist(provider);
        return provider;
    }
}
