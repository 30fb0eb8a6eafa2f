package io.tokenrouter.store;

import jakarta.persistence.EntityManager;

/**
 * The cluster-wide change counters of runtime configuration, one per kind, so that a change of one kind
 * makes nodes rebuild only what depends on it (a new key must not rebuild every node's routes). Writers
 * bump their kind in the same transaction as their change; readers compare it with the version their
 * snapshot was built from.
 */
public final class ConfigVersion {

    /** The kinds of configuration, each with its own counter row. */
    public enum Kind {
        /** Providers, their models, aliases and settings: what the route table is built from. */
        ROUTING(1),
        /** Keys and teams (cached per key for at most key_cache_ttl, not versioned snapshots). */
        ACCESS(2),
        /** Model prices. */
        PRICES(3);

        final int id;

        Kind(int id) {
            this.id = id;
        }
    }

    private ConfigVersion() {
    }

    public static long read(EntityManager em, Kind kind) {
        Number n = (Number) em.createNativeQuery("select version from config_version where id = ?1")
                .setParameter(1, kind.id).getSingleResult();
        return n.longValue();
    }

    public static void bump(EntityManager em, Kind kind) {
        em.createNativeQuery("update config_version set version = version + 1 where id = ?1")
                .setParameter(1, kind.id).executeUpdate();
    }
}
