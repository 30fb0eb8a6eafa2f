package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Signed-in sessions, stored by the hash of their token only. */
@ApplicationScoped
public class SessionRepository {

    @Inject
    Database database;

    /** A stored session: whose key it acts as, and until when. */
    public record StoredSession(long id, long keyId, String principal, Instant expiresAt, Instant revokedAt,
                                Long personId) {
    }

    public void create(String tokenHash, long keyId, String principal, String role, String clientIp, Instant now,
                       Instant expiresAt) {
        create(tokenHash, keyId, principal, role, clientIp, now, expiresAt, null, null, null);
    }

    /**
     * A session; one opened by single sign-on names its person and keeps their ID token and refresh token (both
     * sealed).
     */
    public void create(String tokenHash, long keyId, String principal, String role, String clientIp, Instant now,
                       Instant expiresAt, Long personId, String idTokenSealed, String refreshTokenSealed) {
        database.run(em -> em.createNativeQuery("insert into sessions (token_hash, key_id, principal, role, client_ip,"
                        + " created_at, expires_at, person_id, id_token, refresh_token)"
                        + " values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                .setParameter(1, tokenHash).setParameter(2, keyId).setParameter(3, principal).setParameter(4, role)
                .setParameter(5, clientIp).setParameter(6, now).setParameter(7, expiresAt).setParameter(8, personId)
                .setParameter(9, idTokenSealed).setParameter(10, refreshTokenSealed).executeUpdate());
    }

    /** The sealed ID token a single sign-on session was opened with, if it was. */
    public Optional<String> idToken(String tokenHash) {
        return database.inTransaction(em -> em.createNativeQuery("select id_token from sessions where token_hash = ?1")
                .setParameter(1, tokenHash).getResultList().stream().filter(java.util.Objects::nonNull)
                .map(String.class::cast).findFirst());
    }

    /** What renewing a single sign-on session takes: whose, since when, until when, and the sealed refresh token. */
    public record Renewable(long personId, Instant createdAt, Instant expiresAt, Instant revokedAt,
                            String refreshSealed) {
    }

    /** The single sign-on session with this hash, as renewing it needs it. */
    public Optional<Renewable> renewable(String tokenHash) {
        return database.inTransaction(em -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select person_id, created_at, expires_at, revoked_at,"
                    + " refresh_token from sessions where token_hash = ?1 and person_id is not null")
                    .setParameter(1, tokenHash).getResultList();
            return rows.stream().findFirst().map(r -> new Renewable(((Number) r[0]).longValue(), instant(r[1]),
                    instant(r[2]), instant(r[3]), (String) r[4]));
        });
    }

    /**
     * Extends a renewed session to {@code expiresAt}, with the provider's new tokens (sealed), unless it was renewed
     * (its refresh token no longer {@code usedRefresh}) or ended meanwhile; whether it was extended.
     */
    public boolean renew(String tokenHash, String usedRefresh, Instant expiresAt, String idTokenSealed,
                         String refreshSealed) {
        return database.inTransaction(em -> em.createNativeQuery("update sessions set expires_at = ?1, id_token = ?2,"
                        + " refresh_token = ?3 where token_hash = ?4 and refresh_token = ?5 and revoked_at is null")
                .setParameter(1, expiresAt).setParameter(2, idTokenSealed).setParameter(3, refreshSealed)
                .setParameter(4, tokenHash).setParameter(5, usedRefresh).executeUpdate() == 1);
    }

    /** Ends every open session opened with a key or the admin password, except those of {@code exceptKeyId}. */
    public int revokeKeySessions(Instant now, Long exceptKeyId) {
        return database.inTransaction(em -> em.createNativeQuery("update sessions set revoked_at = ?1"
                        + " where person_id is null and revoked_at is null and key_id <> ?2").setParameter(1, now)
                .setParameter(2, exceptKeyId == null ? -1L : exceptKeyId).executeUpdate());
    }

    /** Ends every open session of a person; returns how many. */
    public int revokePerson(long personId, Instant now) {
        return database.inTransaction(em -> em.createNativeQuery("update sessions set revoked_at = ?1"
                        + " where person_id = ?2 and revoked_at is null").setParameter(1, now).setParameter(2, personId)
                .executeUpdate());
    }

    public Optional<StoredSession> findByHash(String tokenHash) {
        return database.inTransaction(em -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select id, key_id, principal, expires_at, revoked_at, person_id"
                    + " from sessions where token_hash = ?1").setParameter(1, tokenHash).getResultList();
            return rows.stream().findFirst().map(r -> new StoredSession(((Number) r[0]).longValue(),
                    ((Number) r[1]).longValue(), (String) r[2], instant(r[3]), instant(r[4]),
                    r[5] == null ? null : ((Number) r[5]).longValue()));
        });
    }

    /** Ends a session; false when there was no open one with that hash. */
    public boolean revoke(String tokenHash, Instant now) {
        return database.inTransaction(em -> em.createNativeQuery("update sessions set revoked_at = ?1"
                        + " where token_hash = ?2 and revoked_at is null").setParameter(1, now).setParameter(2, tokenHash)
                .executeUpdate() > 0);
    }

    /** Removes sessions that ended before {@code before}. */
    public int deleteEnded(Instant before) {
        return database.inTransaction(em -> em.createNativeQuery("delete from sessions where expires_at < ?1"
                + " or revoked_at < ?1").setParameter(1, before).executeUpdate());
    }

    private static Instant instant(Object value) {
        return value == null ? null : EventRepository.toInstant(value);
    }
}
