package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * People who sign in through single sign-on, and the states of the sign-ins they finished ({@code sso_logins}: each
 * taken once, by whichever node the browser comes back to).
 */
@ApplicationScoped
public class PersonRepository {

    private static final String COLUMNS = "id, issuer, subject, email, name, role, team_id, key_id, groups_seen, disabled,"
            + " disabled_by, disabled_at, created_at, last_sign_in_at, last_sign_in_ip, cli_key_id";

    @Inject
    Database database;

    /** A person as stored: who the identity provider says they are, and what they may do here. */
    public record Person(long id, String issuer, String subject, String email, String name, Role role, Long teamId,
                         long keyId, String groups, boolean disabled, String disabledBy, Instant disabledAt,
                         Instant createdAt, Instant lastSignInAt, String lastSignInIp, Long cliKeyId)
            implements java.io.Serializable {

        /** How the person is named in the console and the audit trail: their email, else their name, else subject. */
        public String displayName() {
            return email != null && !email.isBlank() ? email : name != null && !name.isBlank() ? name : subject;
        }
    }

    public Optional<Person> find(String issuer, String subject) {
        return one("issuer = ?1 and subject = ?2", issuer, subject);
    }

    public Optional<Person> find(long id) {
        return one("id = ?1", id);
    }

    public Optional<Person> findByKey(long keyId) {
        return one("key_id = ?1", keyId);
    }

    /** Everyone, most recently signed in first (at most {@code limit}). */
    public List<Person> all(int limit) {
        return database.inTransaction(em -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select " + COLUMNS + " from people order by"
                    + " coalesce(last_sign_in_at, created_at) desc, id desc").setMaxResults(limit).getResultList();
            return rows.stream().map(PersonRepository::person).toList();
        });
    }

    /** Adds a person acting through {@code keyId}; returns their id. */
    public long insert(String issuer, String subject, String email, String name, Role role, Long teamId, long keyId,
                       String groups, Instant now, String clientIp) {
        return database.inTransaction(em -> {
            em.createNativeQuery("insert into people (issuer, subject, email, name, role, team_id, key_id, groups_seen,"
                            + " disabled, created_at, last_sign_in_at, last_sign_in_ip) values (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                            + " ?8, false, ?9, ?9, ?10)")
                    .setParameter(1, issuer).setParameter(2, subject).setParameter(3, email).setParameter(4, name)
                    .setParameter(5, role.wireName()).setParameter(6, teamId).setParameter(7, keyId)
                    .setParameter(8, groups).setParameter(9, now).setParameter(10, clientIp).executeUpdate();
            return ((Number) em.createNativeQuery("select id from people where issuer = ?1 and subject = ?2")
                    .setParameter(1, issuer).setParameter(2, subject).getSingleResult()).longValue();
        });
    }

    /** What the identity provider said of the person at this sign-in. */
    public void signedIn(long id, String email, String name, Role role, Long teamId, String groups, Instant now,
                         String clientIp) {
        database.run(em -> em.createNativeQuery("update people set email = ?1, name = ?2, role = ?3, team_id = ?4,"
                        + " groups_seen = ?5, last_sign_in_at = ?6, last_sign_in_ip = ?7 where id = ?8")
                .setParameter(1, email).setParameter(2, name).setParameter(3, role.wireName()).setParameter(4, teamId)
                .setParameter(5, groups).setParameter(6, now).setParameter(7, clientIp).setParameter(8, id)
                .executeUpdate());
    }

    /** Disables or enables a person; false when they were already so. */
    public boolean setDisabled(long id, boolean disabled, String by, Instant now) {
        return database.inTransaction(em -> em.createNativeQuery("update people set disabled = ?1, disabled_by = ?2,"
                        + " disabled_at = ?3 where id = ?4 and disabled <> ?1")
                .setParameter(1, disabled).setParameter(2, disabled ? by : null).setParameter(3, disabled ? now : null)
                .setParameter(4, id).executeUpdate() > 0);
    }

    /**
     * Locks the person's row until the caller's transaction ends (call it inside one): sign-ins, {@code toro login}
     * and disabling the person happen one after the other.
     */
    public void lock(long id) {
        database.run(em -> em.createNativeQuery("select id from people where id = ?1 for update").setParameter(1, id)
                .getResultList());
    }

    /** Records the key {@code toro login} last made for the person. */
    public void setCliKey(long id, Long keyId) {
        database.run(em -> em.createNativeQuery("update people set cli_key_id = ?1 where id = ?2")
                .setParameter(1, keyId).setParameter(2, id).executeUpdate());
    }

    /**
     * Takes a sign-in's state (by its hash) for good: true the first time, on any node; false when it was taken
     * before, so the identity provider's answer for it cannot be used twice.
     */
    public boolean takeState(String stateHash, Instant expiresAt) {
        try {
            return database.inTransaction(em -> em.createNativeQuery("insert into sso_logins (state_hash, expires_at)"
                    + " select ?1, ?2 where not exists (select 1 from sso_logins where state_hash = ?1)")
                    .setParameter(1, stateHash).setParameter(2, expiresAt).executeUpdate() == 1);
        } catch (RuntimeException failed) {
            // another node inserted it between the check and the insert; anything else (the database down) is no
            // replay and is said as what it is
            boolean taken;
            try {
                taken = database.inTransaction(em -> !em.createNativeQuery("select 1 from sso_logins where state_hash = ?1")
                        .setParameter(1, stateHash).getResultList().isEmpty());
            } catch (RuntimeException unreadable) {
                failed.addSuppressed(unreadable);
                throw failed;
            }
            if (!taken) {
                throw failed;
            }
            return false;
        }
    }

    /** Forgets the states of sign-ins that have expired (they can no longer be replayed anyway); returns how many. */
    public int deleteExpiredLogins(Instant now) {
        // an hour after they expired, so that no node's clock, a little behind, still takes the answer
        return database.inTransaction(em -> em.createNativeQuery("delete from sso_logins where expires_at < ?1")
                .setParameter(1, now.minus(java.time.Duration.ofHours(1))).executeUpdate());
    }

    private Optional<Person> one(String where, Object... parameters) {
        return database.inTransaction(em -> {
            var query = em.createNativeQuery("select " + COLUMNS + " from people where " + where);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            @SuppressWarnings("unchecked")
            List<Object[]> rows = query.getResultList();
            return rows.stream().findFirst().map(PersonRepository::person);
        });
    }

    private static Person person(Object[] r) {
        return new Person(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                Role.parse((String) r[5]), r[6] == null ? null : ((Number) r[6]).longValue(),
                ((Number) r[7]).longValue(), (String) r[8], Boolean.TRUE.equals(r[9]), (String) r[10], instant(r[11]),
                instant(r[12]), instant(r[13]), (String) r[14], r[15] == null ? null : ((Number) r[15]).longValue());
    }

    private static Instant instant(Object value) {
        return value == null ? null : EventRepository.toInstant(value);
    }
}
