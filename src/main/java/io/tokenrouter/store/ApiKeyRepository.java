package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** Client keys, looked up by the hash of their secret, and their parent/child tree. */
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

    public Page<ApiKey> findAll(int offset, int limit) {
        return database.inTransaction(em -> new Page<>(
                em.createQuery("select k from ApiKey k order by k.id", ApiKey.class)
                        .setFirstResult(offset).setMaxResults(limit).getResultList(),
                em.createQuery("select count(k) from ApiKey k", Long.class).getSingleResult()));
    }

    /** The keys beneath {@code rootId} (not itself), at any depth, paged in id order. */
    public Page<ApiKey> findDescendants(long rootId, int offset, int limit) {
        return database.inTransaction(em -> {
            List<Long> ids = descendantIds(em, rootId);
            if (ids.isEmpty()) {
                return new Page<>(List.of(), 0);
            }
            return new Page<>(em.createQuery("select k from ApiKey k where k.id in :ids order by k.id", ApiKey.class)
                    .setParameter("ids", ids).setFirstResult(offset).setMaxResults(limit).getResultList(), ids.size());
        });
    }

    /** The key itself and every key beneath it. */
    public List<Long> subtreeIds(long rootId) {
        return database.inTransaction(em -> {
            List<Long> ids = descendantIds(em, rootId);
            ids.add(0, rootId);
            return ids;
        });
    }

    public boolean isDescendant(long keyId, long ancestorId) {
        return database.inTransaction(em -> {
            Long parent = em.find(ApiKey.class, keyId) == null ? null : em.find(ApiKey.class, keyId).getParentId();
            for (int depth = 0; parent != null && depth < 64; depth++) {
                if (parent == ancestorId) {
                    return true;
                }
                ApiKey p = em.find(ApiKey.class, parent);
                parent = p == null ? null : p.getParentId();
            }
            return false;
        });
    }

    /** Records that the key was used; no configuration version bump, as nothing routing depends on it. */
    public void touch(long id, Instant at) {
        database.run(em -> em.createQuery("update ApiKey k set k.lastUsedAt = :at where k.id = :id")
                .setParameter("at", at).setParameter("id", id).executeUpdate());
    }

    /**
     * The key_hash of the key that stands for the {@code ADMIN_PASSWORD} sign-in: not a SHA-256 in hex, so
     * no presented secret ever hashes to it, and unique, so every node finds the same row.
     */
    public static final String PASSWORD_PRINCIPAL_HASH = "admin-password-principal";
    /**
     * How the hash of a person's principal key begins (single sign-on): like the password's principal, a key
     * nobody holds, through which a person acts.
     */
    public static final String PERSON_PRINCIPAL_PREFIX = "person:";

    /**
     * An unrevoked top-level key (made by admins: a keymaster's keys always have a parent), never a principal of the
     * admin password or of a person.
     */
    private static final String HELD_TOP_LEVEL = "k.revokedAt is null and k.parentId is null and k.keyHash <> :password"
            + " and k.keyHash not like 'person:%'";

    /** The {@link #HELD_TOP_LEVEL} keys named {@code name}. */
    public List<ApiKey> findTopLevelByName(String name) {
        return database.inTransaction(em -> em.createQuery("select k from ApiKey k where k.name = :name and "
                        + HELD_TOP_LEVEL + " order by k.id", ApiKey.class).setParameter("name", name)
                .setParameter("password", PASSWORD_PRINCIPAL_HASH).setMaxResults(10).getResultList());
    }

    /** The key {@code id} if it is a {@link #HELD_TOP_LEVEL} key. */
    public Optional<ApiKey> findTopLevel(long id) {
        return database.inTransaction(em -> em.createQuery("select k from ApiKey k where k.id = :id and " + HELD_TOP_LEVEL,
                        ApiKey.class).setParameter("id", id).setParameter("password", PASSWORD_PRINCIPAL_HASH)
                .getResultStream().findFirst());
    }

    /** Admin keys that are neither revoked, expired nor the password's principal: keys someone holds and can use. */
    public long countUsableAdmins() {
        return database.inTransaction(em -> em.createQuery("select count(k) from ApiKey k where k.role = :admin"
                        + " and k.revokedAt is null and (k.expiresAt is null or k.expiresAt > :now)"
                        + " and k.keyHash <> :principal and k.keyHash not like 'person:%'", Long.class).setParameter("admin", Role.ADMIN)
                .setParameter("principal", PASSWORD_PRINCIPAL_HASH).setParameter("now", java.time.Instant.now())
                .getSingleResult());
    }

    /** Locks the unrevoked admin keys until the current transaction ends (call it inside one). */
    public void lockAdmins() {
        database.run(em -> em.createQuery("select k from ApiKey k where k.role = :admin and k.revokedAt is null",
                ApiKey.class).setParameter("admin", Role.ADMIN).setLockMode(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).getResultList());
    }

    /** The keys directly beneath {@code parentId}. */
    public List<ApiKey> children(long parentId) {
        return database.inTransaction(em -> em.createQuery("select k from ApiKey k where k.parentId = :id order by k.id",
                ApiKey.class).setParameter("id", parentId).getResultList());
    }

    public ApiKey store(ApiKey key) {
        return database.inTransaction(em -> {
            ApiKey stored = key.getId() == null ? persist(em, key) : em.merge(key);
            ConfigVersion.bump(em, ConfigVersion.Kind.ACCESS);
            return stored;
        });
    }

    /**
     * Temporary keys that expired before {@code expiredBefore}, or whose total quota is used up with
     * nothing in flight.
     */
    public List<Long> findRemovableTemporary(Instant expiredBefore) {
        return database.inTransaction(em -> {
            List<Long> ids = new ArrayList<>(em.createQuery("select k.id from ApiKey k where k.temporary = true"
                    + " and k.expiresAt < :before", Long.class).setParameter("before", expiredBefore).getResultList());
            for (Object id : em.createNativeQuery("select distinct k.id from api_keys k join quotas q"
                    + " on q.owner_type = 'key' and q.owner_id = k.id where k.temporary = true and q.period = 'total'"
                    + " and q.used >= q.limit_value and q.reserved = 0").getResultList()) {
                long value = ((Number) id).longValue();
                if (!ids.contains(value)) {
                    ids.add(value);
                }
            }
            return ids;
        });
    }

    /** Deletes a key, everything beneath it and their quotas, deepest first; returns how many keys went. */
    public int deleteTree(long rootId) {
        return database.inTransaction(em -> {
            List<Long> ids = descendantIds(em, rootId);
            ids.add(0, rootId);
            for (int i = ids.size() - 1; i >= 0; i--) {
                QuotaRepository.deleteByOwner(em, OwnerType.KEY, ids.get(i));
                em.createNativeQuery("delete from api_keys where id = ?1").setParameter(1, ids.get(i)).executeUpdate();
            }
            ConfigVersion.bump(em, ConfigVersion.Kind.ACCESS);
            return ids.size();
        });
    }

    /** Breadth-first ids beneath {@code rootId}; parents always come before their children. */
    private static List<Long> descendantIds(EntityManager em, long rootId) {
        List<Long> result = new ArrayList<>();
        Deque<Long> frontier = new ArrayDeque<>(List.of(rootId));
        while (!frontier.isEmpty() && result.size() < 1_000_000) {
            List<Long> level = new ArrayList<>(frontier);
            frontier.clear();
            List<Long> children = em.createQuery("select k.id from ApiKey k where k.parentId in :ids", Long.class)
                    .setParameter("ids", level).getResultList();
            result.addAll(children);
            frontier.addAll(children);
        }
        return result;
    }

    private static ApiKey persist(EntityManager em, ApiKey key) {
        em.persist(key);
        return key;
    }
}
