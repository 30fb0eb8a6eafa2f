package io.tokenrouter.store;

import jakarta.persistence.EntityManager;

/**
 * The cluster-wide change counter for runtime configuration. Writers bump it in the same transaction as
 * their change; every node compares it with the version its snapshots were built from.
 */
public final class ConfigVersion {

    private ConfigVersion() {
    }

    public static long read(EntityManager em) {
        Number n = (Number) em.createNativeQuery("select version from config_version where id = 1").getSingleResult();
        return n.longValue();
    }

    public static void bump(EntityManager em) {
        em.createNativeQuery("update config_version set version = version + 1 where id = 1").executeUpdate();
    }
}
