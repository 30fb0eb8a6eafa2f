package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.stream.Collectors;

/** Cluster-wide runtime settings as name/value pairs. */
@ApplicationScoped
public class SettingRepository {

    @Inject
    Database database;

    public Map<String, String> findAll() {
        return database.inTransaction(em -> em.createQuery("select s from Setting s", Setting.class)
                .getResultStream()
                .filter(s -> s.getValue() != null)
                .collect(Collectors.toMap(Setting::getName, Setting::getValue)));
    }

    /** Stores the value (null removes it) and bumps the configuration version. */
    public void store(String name, String value) {
        database.run(em -> {
            Setting existing = em.find(Setting.class, name);
            if (value == null && existing != null) {
                em.remove(existing);
            } else if (existing != null) {
                existing.setValue(value);
            } else if (value != null) {
                em.persist(new Setting(name, value));
            }
            ConfigVersion.bump(em, ConfigVersion.Kind.ROUTING);
        });
    }

    /** The version of everything routes are built from (providers, models, aliases, settings). */
    public long routingVersion() {
        return database.inTransaction(em -> ConfigVersion.read(em, ConfigVersion.Kind.ROUTING));
    }
}
