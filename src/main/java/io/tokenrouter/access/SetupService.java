package io.tokenrouter.access;

import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.logging.Logger;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * How the first administrator gets in, and how the console signs people in:
 * <ul>
 * <li>a configured {@code admin_key} becomes an admin key at start-up (only its hash is stored);</li>
 * <li>while no admin key exists, a one-time setup token is written to this node's log; creating the
 * first admin key requires it, so nobody else on the network can;</li>
 * <li>{@code ADMIN_PASSWORD} is kept only as a PBKDF2 hash; signing in with it opens a session of a
 * dedicated admin key (its principal, {@code "admin (password)"}, whose secret nobody holds), so every
 * service sees a real key and its audit trail names it.</li>
 * </ul>
 */
@ApplicationScoped
public class SetupService {

    private static final Logger LOG = Logger.getLogger(SetupService.class.getName());
    private static final int PBKDF2_ITERATIONS = 210_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    GatewaySettings settings;
    @Inject
    ApiKeyRepository keys;
    @Inject
    KeyLookup lookup;
    @Inject
    AuditTrail audit;

    static final String PASSWORD_PRINCIPAL = "admin (password)";

    private volatile byte[] setupTokenHash;
    private byte[] passwordSalt;
    private volatile boolean weakAdminKey;
    private byte[] passwordHash;

    public void start() {
        settings.adminKey().ifPresent(this::ensureAdminKey);
        weakAdminKey = settings.adminKey().filter(SetupService::looksLikePlaceholder).isPresent();
        if (weakAdminKey) {
            LOG.warning("The configured admin_key looks like a placeholder or is short: anyone who has read the same"
                    + " example can use it as an admin. Set a long random one, e.g. tr-$(openssl rand -hex 24), and restart.");
        }
        settings.adminPassword().ifPresent(password -> {
            passwordSalt = new byte[16];
            RANDOM.nextBytes(passwordSalt);
            passwordHash = pbkdf2(password, passwordSalt);
            ensurePasswordPrincipal();
        });
        if (keys.countUsableAdmins() == 0) {
            String token = KeySecrets.generate().substring(KeySecrets.PREFIX.length());
            setupTokenHash = sha256(token);
            LOG.warning("First run: no admin key exists. Create the first one with the one-time setup token "
                    + token + " : open /admin/ in a browser (first-run setup), or POST /api/setup"
                    + " {\"setup_token\":\"…\",\"name\":\"…\"}; the new key is shown once.");
        }
    }

    public boolean setupPending() {
        return setupTokenHash != null && keys.countUsableAdmins() == 0;
    }

    /** Creates the first admin key, given the setup token from the log. */
    public synchronized CreatedKey setup(String token, String name) {
        if (keys.countUsableAdmins() > 0) {
            throw GatewayException.conflict("An admin key exists already; setup is closed.");
        }
        byte[] expected = setupTokenHash;
        if (expected == null || token == null || !MessageDigest.isEqual(expected, sha256(token.trim()))) {
            throw GatewayException.forbidden("The setup token is wrong; it is printed in this server's log.");
        }
        String secret = KeySecrets.generate();
        ApiKey key = adminKey(name == null || name.isBlank() ? "first-admin" : name.trim(), secret, "setup");
        setupTokenHash = null;
        return new CreatedKey(secret, KeyView.of(key));
    }

    /** Whether {@code password} is the configured admin password (false when none is configured). */
    boolean passwordMatches(String password) {
        return passwordHash != null && password != null
                && MessageDigest.isEqual(passwordHash, pbkdf2(password, passwordSalt));
    }

    /** The key the admin password signs in as. */
    ApiKey passwordPrincipal() {
        return keys.findByHash(ApiKeyRepository.PASSWORD_PRINCIPAL_HASH).orElseThrow(() ->
                new IllegalStateException("The admin password's principal key is missing; restart to recreate it"));
    }

    private void ensurePasswordPrincipal() {
        if (keys.findByHash(ApiKeyRepository.PASSWORD_PRINCIPAL_HASH).isPresent()) {
            return;
        }
        ApiKey key = new ApiKey();
        key.setName(PASSWORD_PRINCIPAL);
        key.setKeyHash(ApiKeyRepository.PASSWORD_PRINCIPAL_HASH);
        key.setDisplayPrefix("(password)");
        key.setRole(Role.ADMIN);
        key.setCreatedBy("configuration");
        key.setCreatedAt(Instant.now());
        try {
            keys.store(key);
        } catch (RuntimeException e) {
            if (keys.findByHash(ApiKeyRepository.PASSWORD_PRINCIPAL_HASH).isEmpty()) {
                throw e;
            }
            // another node created it at the same moment
        }
    }

    /** Whether the configured admin key is an obvious placeholder (the console warns admins about it). */
    public boolean weakAdminKey() {
        return weakAdminKey;
    }

    /**
     * A key anyone could guess: shorter than 24 characters, of few distinct characters, or worded like the
     * examples in documentation ("change me", "pick a long random secret", …).
     */
    static boolean looksLikePlaceholder(String key) {
        String words = key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]", "");
        return key.length() < 24 || key.chars().distinct().count() < 10
                || java.util.stream.Stream.of("changeme", "pickalong", "randomsecret", "placeholder", "example", "yourkey",
                        "secretkey", "password").anyMatch(words::contains);
    }

    private void ensureAdminKey(String secret) {
        if (keys.findByHash(KeySecrets.hash(secret)).isEmpty()) {
            ApiKey key = adminKey("bootstrap-admin", secret, "configuration");
            LOG.info("Stored the configured admin key (" + key.getDisplayPrefix() + "…) as 'bootstrap-admin'");
            audit.bySystem("admin_key", "Stored the configured admin key (" + key.getDisplayPrefix()
                    + "…) as 'bootstrap-admin' #" + key.getId());
        }
    }

    private ApiKey adminKey(String name, String secret, String createdBy) {
        ApiKey key = new ApiKey();
        key.setName(name);
        key.setKeyHash(KeySecrets.hash(secret));
        key.setDisplayPrefix(KeySecrets.displayPrefix(secret));
        key.setRole(Role.ADMIN);
        key.setCreatedBy(createdBy);
        key.setCreatedAt(Instant.now());
        return keys.store(key);
    }

    static byte[] pbkdf2(String password, byte[] salt) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, PBKDF2_ITERATIONS, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
