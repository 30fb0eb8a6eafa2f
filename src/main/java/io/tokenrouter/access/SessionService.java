package io.tokenrouter.access;

import io.tokenrouter.store.Role;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.SessionRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Signing in to the console and the management API: an admin or keymaster key, or the admin password,
 * opens a session whose token ({@value #PREFIX}…, shown once) then authenticates {@code /api} requests
 * as that key, until it expires ({@code session_ttl}) or is signed out. Sessions live in the database, so
 * every node accepts them and a sign-out reaches every node within {@code key_cache_ttl}; a session also
 * ends with its key (revoked, expired, team disabled). Attempts are throttled per client and per node,
 * and every sign-in, failure and refusal is an event.
 */
@ApplicationScoped
public class SessionService {

    public static final String PREFIX = "trs_";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    GatewaySettings settings;
    @Inject
    SessionRepository sessions;
    @Inject
    io.tokenrouter.store.PersonRepository people;
    @Inject
    ApiKeyRepository keys;
    @Inject
    KeyLookup lookup;
    @Inject
    SetupService admin;
    @Inject
    SignInThrottle throttle;
    @Inject
    AuditTrail events;
    @Inject
    io.tokenrouter.runtime.RuntimeSettings runtime;
    @Inject
    io.tokenrouter.store.Database database;

    /** What time it is; sessions expire by it (tests move it). */
    Clock clock = Clock.systemUTC();
    private volatile Cache<String, Optional<SessionRepository.StoredSession>> cache;
    /** The configured admin key's id, once found. */
    private volatile Long breakGlassKeyId;

    /** A new session: its token (shown once), who it acts as, and until when. */
    public record Opened(String token, String principal, Role role, long keyId, Instant expiresAt) {
    }

    /** Signs in with a key or the admin password, from {@code clientIp}. */
    public Opened open(String key, String password, String clientIp) {
        throttled(clientIp, "sign-in");
        try {
            if (!keySignInAllowed() && !breakGlass(key, password)) {
                throw new GatewayException(403, "permission_error", "key_sign_in_off", null, "Key and password sign-in"
                        + " to the console is switched off; sign in with single sign-on (the configured admin key still"
                        + " works).");
            }
            ApiKey principal = authenticate(key, password);
            Caller caller = lookup.caller(principal);
            if (caller.role() == Role.INFERRER) {
                throw GatewayException.forbidden("Inferrer keys cannot sign in to the console.");
            }
            Opened opened = create(principal, caller.role(), clientIp, caller.expiresAt());
            events.note("sign-in", "sign-in", false, Authorization.actorName(opened.principal(), opened.keyId()), clientIp, "Signed in as " + caller.role().wireName() + " from " + clientIp);
            return opened;
        } catch (GatewayException e) {
            events.note("sign-in", "sign-in", true, null, clientIp, "Refused sign-in from " + clientIp + ": " + e.getMessage());
            throw e;
        }
    }

    /** Whether keys and the admin password sign in (cluster setting {@code console_key_sign_in}). */
    public boolean keySignInAllowed() {
        return runtime == null || runtime.operations().consoleKeySignIn();
    }

    /** Whether {@code keyId} is the configured {@code admin_key}'s. */
    private boolean isBreakGlass(long keyId) {
        Long id = breakGlassKeyId();
        return id != null && id == keyId;
    }

    /** The configured admin key's id, null when there is none (looked up once found). */
    private Long breakGlassKeyId() {
        Long id = breakGlassKeyId;
        if (id == null) {
            id = settings.adminKey().flatMap(k -> keys.findByHash(KeySecrets.hash(k))).map(ApiKey::getId).orElse(null);
            breakGlassKeyId = id;
        }
        return id;
    }

    /** Whether {@code key} is the configured {@code admin_key}, which signs in even with key sign-in off. */
    private boolean breakGlass(String key, String password) {
        return password == null && key != null && settings.adminKey().isPresent()
                && KeySecrets.matches(key.trim(), KeySecrets.hash(settings.adminKey().get()));
    }

    /**
     * Opens a session for a person the identity provider signed in ({@code principal}: their principal key), from
     * {@code clientIp}: it ends at {@code session_ttl}, or when their ID token does ({@code tokenExpiry}), whichever
     * is first; it keeps the (sealed) ID token for signing out at the provider and the refresh token, if any.
     */
    public Opened openForPerson(ApiKey principal, long personId, String clientIp, Instant tokenExpiry,
                                String idTokenSealed, String refreshTokenSealed) {
        Caller caller = lookup.caller(principal);
        String byWhom = Authorization.actorName(principal.getName(), principal.getId());
        if (caller.role() == Role.INFERRER) {
            throw GatewayException.forbidden("Inferrers cannot sign in to the console.");
        }
        Opened opened = create(principal, caller.role(), clientIp, caller.expiresAt(), tokenExpiry, personId,
                idTokenSealed, refreshTokenSealed);
        events.note("sign-in", "sign-in", false, byWhom, clientIp, "Signed in by single sign-on as "
                + caller.role().wireName() + " from " + clientIp);
        return opened;
    }

    /** Takes one sign-in attempt from {@code clientIp}, or refuses it (429, recorded once a minute) as too many. */
    public void throttle(String clientIp) {
        throttled(clientIp, "sign-in");
    }

    /** The sealed ID token the session was opened with, if it was opened by single sign-on. */
    public Optional<String> idToken(String token) {
        return sessions.idToken(KeySecrets.hash(token));
    }

    /** Forgets what this node cached of a session (it was just renewed). */
    public void forgetCached(String token) {
        cache().invalidate(KeySecrets.hash(token));
    }

    /** Ends every session of a person (disabled): at once on this node, within key_cache_ttl on the others. */
    public int closeAllOf(long personId) {
        int closed = sessions.revokePerson(personId, clock.instant());
        // after the commit: a request in between would otherwise cache the session as it was, for key_cache_ttl
        database.afterCommit(() -> cache().invalidateAll());
        return closed;
    }

    /**
     * Ends every console and API session opened with a key or the admin password (key sign-in was switched off),
     * except those of the configured admin key (break-glass); returns how many.
     */
    public int closeKeySessions() {
        int closed = sessions.revokeKeySessions(clock.instant(), breakGlassKeyId());
        database.afterCommit(() -> cache().invalidateAll());
        return closed;
    }

    /**
     * First-run setup from {@code clientIp}: creates the first admin key with the one-time setup token from
     * the server log; throttled like signing in, and every outcome is an event.
     */
    public CreatedKey setup(String setupToken, String name, String clientIp) {
        CreatedKey created;
        throttled(clientIp, "setup");
        try {
            created = admin.setup(setupToken, name);
        } catch (GatewayException e) {
            events.note("sign-in", "setup", true, null, clientIp, "Refused first-run setup from " + clientIp + ": " + e.getMessage());
            throw e;
        }
        events.note("sign-in", "setup", false, Authorization.actorName(created.key().name(), created.key().id()), clientIp, "Created the first admin key with the setup token from " + clientIp);
        return created;
    }

    /**
     * Takes an attempt of {@code action} (sign-in or setup) from {@code clientIp}, or refuses it with the throttle's
     * 429, recorded once a minute per address.
     */
    private void throttled(String clientIp, String action) {
        try {
            throttle.attempt(clientIp);
        } catch (GatewayException e) {
            events.refusedOnceAMinute("address " + clientIp, "from this address", "sign-in", action, null, clientIp,
                    "Refused " + (action.equals("setup") ? "first-run setup" : "sign-in") + " from " + clientIp + ": "
                            + e.getMessage());
            throw e;
        }
    }

    /** The caller a session token stands for, or a 401. */
    public Caller resolve(String token) {
        String hash = KeySecrets.hash(token);
        SessionRepository.StoredSession session = cache().get(hash, sessions::findByHash)
                .orElseThrow(SessionService::invalid);
        Instant now = clock.instant();
        if (session.revokedAt() != null || !now.isBefore(session.expiresAt())) {
            throw invalid();
        }
        if (session.personId() == null && !keySignInAllowed() && !isBreakGlass(session.keyId())) {
            // key sign-in was switched off (on this or another node) after this session opened
            throw invalid();
        }
        Caller caller = lookup.caller(keys.find(session.keyId()).orElseThrow(SessionService::invalid));
        if (caller.expiresAt() != null && !now.isBefore(caller.expiresAt())) {
            throw GatewayException.expiredApiKey(caller.expiresAt().toString());
        }
        return caller;
    }

    /** Signs a session out; it stops working on this node at once and on others within key_cache_ttl. */
    public void close(String token, String actor) {
        String hash = KeySecrets.hash(token);
        if (sessions.revoke(hash, clock.instant())) {
            events.note("sign-in", "sign-out", false, actor, null, "Signed out");
        }
        cache().invalidate(hash);
    }

    /**
     * Removes sessions that ended more than a day ago, and single sign-ons started but never finished; returns how
     * many sessions.
     */
    public int removeEnded() {
        people.deleteExpiredLogins(clock.instant());
        return sessions.deleteEnded(clock.instant().minus(java.time.Duration.ofDays(1)));
    }

    private ApiKey authenticate(String key, String password) {
        if (password != null) {
            if (!admin.passwordMatches(password)) {
                throw new GatewayException(401, "invalid_request_error", "invalid_password", null,
                        "The password is wrong, or no admin password is configured.");
            }
            return admin.passwordPrincipal();
        }
        if (key == null || key.isBlank()) {
            throw GatewayException.missingApiKey();
        }
        Caller caller = lookup.resolve(key.trim());
        return keys.find(caller.keyId()).orElseThrow(GatewayException::invalidApiKey);
    }

    private Opened create(ApiKey key, Role role, String clientIp, Instant keyExpiry) {
        return create(key, role, clientIp, keyExpiry, null, null, null, null);
    }

    private Opened create(ApiKey key, Role role, String clientIp, Instant keyExpiry, Instant tokenExpiry,
                          Long personId, String idTokenSealed, String refreshTokenSealed) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        Instant expires = now.plus(settings.sessionTtl());
        if (keyExpiry != null && keyExpiry.isBefore(expires)) {
            expires = keyExpiry;
        }
        if (tokenExpiry != null && tokenExpiry.isBefore(expires)) {
            expires = tokenExpiry;
        }
        sessions.create(KeySecrets.hash(token), key.getId(), key.getName(), role.wireName(), clientIp, now, expires,
                personId, idTokenSealed, refreshTokenSealed);
        return new Opened(token, key.getName(), role, key.getId(), expires);
    }

    private Cache<String, Optional<SessionRepository.StoredSession>> cache() {
        Cache<String, Optional<SessionRepository.StoredSession>> c = cache;
        if (c == null) {
            synchronized (this) {
                if (cache == null) {
                    cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(settings.keyCacheTtl()).build();
                }
                c = cache;
            }
        }
        return c;
    }

    private static GatewayException invalid() {
        return new GatewayException(401, "invalid_request_error", "invalid_session", null,
                "The session has ended or does not exist; sign in again.");
    }
}
