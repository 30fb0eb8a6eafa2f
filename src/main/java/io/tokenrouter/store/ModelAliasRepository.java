package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** Model alias targets, one row per alias and profile. */
@ApplicationScoped
public class ModelAliasRepository {

    @Inject
    Database database;

    public List<ModelAlias> findAll() {
        return database.inTransaction(em -> em.createQuery(
                "select a from ModelAlias a order by a.name, a.profile", ModelAlias.class).getResultList());
    }

    /** Replaces every target of the alias {@code name}. */
    public void replace(String name, List<ModelAlias> targets) {
        database.run(em -> {
            em.createQuery("delete from ModelAlias a where a.name = :name").setParameter("name", name).executeUpdate();
            em.flush();
            targets.forEach(em::persist);
            ConfigVersion.bump(em, ConfigVersion.Kind.ROUTING);
        });
    }

    public int delete(String name) {
        return database.inTransaction(em -> {
            int n = em.createQuery("delete from ModelAlias a where a.name = :name").setParameter("name", name)
                    .executeUpdate();
            ConfigVersion.bump(em, ConfigVersion.Kind.ROUTING);
            return n;
        });
    }

    /** Replaces the aliases that came from the configuration file with its current content. */
    public void replaceFromConfig(List<ModelAlias> aliases) {
        database.run(em -> {
            em.createQuery("delete from ModelAlias a where a.source = :source")
                    .setParameter("source", Provider.SOURCE_CONFIG).executeUpdate();
            aliases.forEach(em::persist);
            ConfigVersion.bump(em, ConfigVersion.Kind.ROUTING);
        });
    }
}
