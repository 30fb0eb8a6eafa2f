package io.tokenrouter.access;

import io.tokenrouter.store.Period;
import io.tokenrouter.store.Metric;
import io.tokenrouter.store.OwnerType;
import io.tokenrouter.store.Role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.AuditRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Key lifecycle against a real (H2) database: first-run setup, clean-up of temporary keys, job leases. */
class AccessStoreTest {

    private Database database;
    private ApiKeyRepository keys;
    private QuotaRepository quotas;
    private KeyLookup lookup;

    @BeforeEach
    void open() {
        database = TestDatabases.h2();
        keys = TestDatabases.keys(database);
        quotas = TestDatabases.quotas(database);
        lookup = new KeyLookup();
        lookup.settings = GatewaySettings.load(Map.of("tokenrouter.home", "/nonexistent"), Map.of());
        lookup.keys = keys;
        lookup.teams = TestDatabases.teams(database);
        lookup.quotas = quotas;
    }

    @AfterEach
    void close() {
        TestDatabases.close(database);
    }

    private SetupService adminAccess(Map<String, String> properties) {
        SetupService access = new SetupService();
        access.settings = GatewaySettings.load(properties, Map.of());
        access.keys = keys;
        access.lookup = lookup;
        access.audit = auditTrail();
        return access;
    }

    @Test
    void firstRunPrintsASetupTokenThatAloneCreatesTheFirstAdminKey() {
        List<String> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(SetupService.class.getName());
        logger.addHandler(capture);
        SetupService access;
        try {
            access = adminAccess(Map.of("tokenrouter.home", "/nonexistent"));
            access.start();
        } finally {
            logger.removeHandler(capture);
        }
        Matcher token = Pattern.compile("setup token (\\S+) ").matcher(String.join("\n", logged));
        assertThat(token.find()).as("setup token in the log: " + logged).isTrue();
        assertThat(access.setupPending()).isTrue();

        assertThatThrownBy(() -> access.setup("guessed", "mallory"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(403));
        CreatedKey first = access.setup(token.group(1), "owner");
        assertThat(first.key().role()).isEqualTo("admin");
        assertThat(lookup.resolve(first.secret()).role()).isEqualTo(Role.ADMIN);
        assertThat(access.setupPending()).isFalse();
        assertThatThrownBy(() -> access.setup(token.group(1), "again"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    private AuditTrail auditTrail() {
        return new AuditTrail(TestDatabases.events(database), TestDatabases.audit(database));
    }

    private SessionService sessions(SetupService access) {
        SessionService sessions = new SessionService();
        sessions.settings = access.settings;
        sessions.sessions = TestDatabases.sessions(database);
        sessions.people = TestDatabases.people(database);
        sessions.keys = keys;
        sessions.lookup = lookup;
        sessions.admin = access;
        sessions.throttle = new SignInThrottle();
        sessions.events = auditTrail();
        sessions.database = database;
        return sessions;
    }

    /** Issue 8 item 5: the admin password opens a real session; the setup path stays open without an admin key. */
    @Test
    void theAdminPasswordOpensASessionOfARealAdminKeyAndSetupStaysOpen() {
        SetupService withPassword = adminAccess(Map.of("tokenrouter.home", "/nonexistent",
                "tokenrouter.admin_password", "correct horse"));
        withPassword.start();
        assertThat(withPassword.setupPending()).as("no admin key yet: the setup token is printed").isTrue();
        SessionService sessions = sessions(withPassword);

        SessionService.Opened opened = sessions.open(null, "correct horse", "10.0.0.1");

        assertThat(opened.role()).isEqualTo(Role.ADMIN);
        assertThat(opened.principal()).isEqualTo("admin (password)");
        assertThat(opened.token()).startsWith(SessionService.PREFIX);
        Caller caller = sessions.resolve(opened.token());
        assertThat(caller.role()).isEqualTo(Role.ADMIN);
        assertThat(caller.keyId()).isEqualTo(opened.keyId());
        assertThat(keys.find(opened.keyId())).get().extracting(ApiKey::getName).isEqualTo("admin (password)");
        assertThatThrownBy(() -> sessions.open(null, "wrong horse", "10.0.0.1"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> lookup.resolve(ApiKeyRepository.PASSWORD_PRINCIPAL_HASH))
                .as("the principal's marker is no key").isInstanceOf(GatewayException.class);

        sessions.close(opened.token(), "test");
        assertThatThrownBy(() -> sessions.resolve(opened.token()))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo("invalid_session"));
        assertThatThrownBy(() -> sessions.resolve(SessionService.PREFIX + "made-up"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    /** Every refused sign-in is in the audit trail, but a flood the throttle refuses leaves one entry a minute. */
    @Test
    void refusedSignInsAreAuditedAndAThrottledFloodOnlyOnce() {
        SetupService withKey = adminAccess(Map.of("tokenrouter.home", "/nonexistent",
                "tokenrouter.admin_key", "tr-configured-admin-key-1234"));
        withKey.start();
        SessionService sessions = sessions(withKey);

        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> sessions.open("tr-guess", null, "198.51.100.7")).isInstanceOf(GatewayException.class);
        }
        sessions.open("tr-configured-admin-key-1234", null, "198.51.100.8");

        List<AuditRepository.Entry> entries = TestDatabases.audit(database).page(0, null, null, 100);
        assertThat(entries).filteredOn(e -> e.outcome().equals("refused") && e.detail().contains("Incorrect API key"))
                .hasSize(SignInThrottle.PER_CLIENT_BURST).allMatch(e -> "198.51.100.7".equals(e.clientIp()));
        assertThat(entries).filteredOn(e -> e.detail().contains("Too many sign-in attempts")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("not recorded"));
        assertThat(entries).filteredOn(e -> e.action().equals("sign-in") && e.outcome().equals("ok")).singleElement()
                .satisfies(e -> assertThat(e.clientIp()).isEqualTo("198.51.100.8"));
        assertThat(TestDatabases.audit(database).verify(10).ok()).isTrue();
    }

    /** A refused call is recorded once a minute per key, and stays refused when it cannot be recorded at all. */
    @Test
    void refusalsOfAKeyAreRecordedOnceAMinuteAndNeverFailThemselves() {
        AuditTrail audit = auditTrail();
        Caller keymaster = new Caller(41, "ops", Role.KEYMASTER, null, null, null, null, List.of(41L), Map.of(41L, "ops"),
                List.of(), false, java.util.Set.of());
        Caller other = new Caller(42, "dev", Role.INFERRER, null, null, null, null, List.of(42L), Map.of(42L, "dev"),
                List.of(), false, java.util.Set.of());

        audit.refused(keymaster, "GET /api/teams");
        audit.refused(keymaster, "GET /api/providers");
        audit.refused(other, "GET /api/teams");

        assertThat(TestDatabases.audit(database).page(0, null, null, 10)).extracting(AuditRepository.Entry::detail)
                .containsExactly(
                        "Refused GET /api/teams to a key of role keymaster (further refusals of this key in the next"
                                + " minute are not recorded)",
                        "Refused GET /api/teams to a key of role inferrer (further refusals of this key in the next"
                                + " minute are not recorded)");
        TestDatabases.close(database);
        Caller third = new Caller(43, "late", Role.INFERRER, null, null, null, null, List.of(43L), Map.of(43L, "late"),
                List.of(), false, java.util.Set.of());
        audit.refused(third, "GET /api/teams");
        database = TestDatabases.h2();
    }

    @Test
    void aConfiguredAdminKeySignsInAndClosesSetup() {
        SetupService withKey = adminAccess(Map.of("tokenrouter.home", "/nonexistent",
                "tokenrouter.admin_key", "tr-configured-admin-key-1234"));
        withKey.start();
        assertThat(withKey.setupPending()).isFalse();
        SessionService.Opened opened = sessions(withKey).open("tr-configured-admin-key-1234", null, "10.0.0.2");
        assertThat(opened.role()).isEqualTo(Role.ADMIN);
        assertThat(opened.principal()).isEqualTo("bootstrap-admin");
    }

    @Test
    void signInAttemptsAreThrottledPerClientAddress() {
        SignInThrottle throttle = new SignInThrottle();
        for (int i = 0; i < SignInThrottle.PER_CLIENT_BURST; i++) {
            throttle.attempt("203.0.113.5");
        }
        assertThatThrownBy(() -> throttle.attempt("203.0.113.5")).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.retryAfter()).isPositive().isLessThanOrEqualTo(SignInThrottle.PER_CLIENT_REFILL);
        });
        throttle.attempt("203.0.113.6");
    }

    @Test
    void signInAttemptsAreThrottledOverall() {
        SignInThrottle throttle = new SignInThrottle();
        int allowed = 0;
        for (int i = 0; i < SignInThrottle.OVERALL_BURST + 10; i++) {
            try {
                throttle.attempt("198.51.100." + i);
                allowed++;
            } catch (GatewayException e) {
                assertThat(e.status()).isEqualTo(429);
                assertThat(e.getMessage()).contains("on this server");
            }
        }
        // the burst, plus what refilled (4 a second) while the loop ran
        assertThat(allowed).isBetween(SignInThrottle.OVERALL_BURST, SignInThrottle.OVERALL_BURST + 2);
    }

    @Test
    void cleanupRemovesExpiredAndDepletedTemporaryKeysWithTheirChildrenAndQuotas() {
        Instant longAgo = Instant.now().minus(Duration.ofDays(2));
        ApiKey parent = key("parent", null, null, false);
        ApiKey expired = key("expired-temp", parent.getId(), longAgo, true);
        ApiKey grandchild = key("grandchild", expired.getId(), longAgo, true);
        ApiKey depleted = key("depleted-temp", parent.getId(), Instant.now().plus(Duration.ofDays(1)), true);
        ApiKey fresh = key("fresh-temp", parent.getId(), Instant.now().plus(Duration.ofDays(1)), true);
        ApiKey expiredPermanent = key("expired-permanent", null, longAgo, false);
        quotas.replaceForOwner(OwnerType.KEY, grandchild.getId(),
                List.of(new Quota(OwnerType.KEY, grandchild.getId(), Metric.TOKENS, Period.TOTAL, 10)));
        quotas.replaceForOwner(OwnerType.KEY, depleted.getId(),
                List.of(new Quota(OwnerType.KEY, depleted.getId(), Metric.REQUESTS, Period.TOTAL, 0)));
        KeyCleanup cleanup = new KeyCleanup();
        cleanup.settings = GatewaySettings.load(Map.of("tokenrouter.home", "/nonexistent"), Map.of());
        cleanup.keys = keys;
        cleanup.events = auditTrail();

        int removed = cleanup.removeNow();

        assertThat(removed).isEqualTo(3);
        assertThat(keys.find(expired.getId())).isEmpty();
        assertThat(keys.find(grandchild.getId())).isEmpty();
        assertThat(keys.find(depleted.getId())).isEmpty();
        assertThat(quotas.findByOwner(OwnerType.KEY, grandchild.getId())).isEmpty();
        assertThat(keys.find(fresh.getId())).isPresent();
        assertThat(keys.find(parent.getId())).isPresent();
        assertThat(keys.find(expiredPermanent.getId())).as("only temporary keys are removed").isPresent();
    }

    @Test
    void aJobLeaseIsHeldByOneNodeAtATime() {
        JobLocks locks = TestDatabases.jobLocks(database);

        assertThat(locks.tryAcquire("key-cleanup", "node-a", Duration.ofSeconds(30))).isTrue();
        assertThat(locks.tryAcquire("key-cleanup", "node-b", Duration.ofSeconds(30))).isFalse();
        assertThat(locks.tryAcquire("no-such-job", "node-b", Duration.ofSeconds(30))).isFalse();
    }

    /** Issue 8 item 3: a key chain deeper than the lookup reads must not escape its ancestors. */
    @Test
    void aKeyNestedDeeperThanTheLimitIsRefusedWholeAndCannotBeCreated() {
        ApiKey top = key("top", null, null, false);
        top.setRole(Role.KEYMASTER);
        top = keys.store(top);
        quotas.replaceForOwner(OwnerType.KEY, top.getId(), List.of(new Quota(OwnerType.KEY, top.getId(), Metric.REQUESTS, Period.TOTAL, 1)));
        List<ApiKey> chain = new ArrayList<>(List.of(top));
        for (int depth = 2; depth <= KeyLookup.MAX_DEPTH + 4; depth++) {
            ApiKey child = key("depth-" + depth, chain.get(chain.size() - 1).getId(), null, false);
            child.setRole(Role.KEYMASTER);
            chain.add(keys.store(child));
        }
        ApiKey deepestAllowed = chain.get(KeyLookup.MAX_DEPTH - 1);
        Caller allowed = lookup.caller(deepestAllowed);
        assertThat(allowed.chain()).hasSize(KeyLookup.MAX_DEPTH).endsWith(top.getId());
        assertThat(allowed.limits()).as("the top key's quota applies at the deepest allowed level").hasSize(1);
        for (ApiKey tooDeep : chain.subList(KeyLookup.MAX_DEPTH, chain.size())) {
            assertThatThrownBy(() -> lookup.caller(tooDeep)).isInstanceOfSatisfying(GatewayException.class, e -> {
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.getMessage()).contains("nested deeper than " + KeyLookup.MAX_DEPTH);
            });
        }

        KeyService service = keyService();
        assertThatThrownBy(() -> service.create(allowed, new KeyDraft("one-more", "inferrer", null, null, null, null, null)))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("parent_id");
                });
        Caller oneUp = lookup.caller(chain.get(KeyLookup.MAX_DEPTH - 2));
        assertThat(service.create(oneUp, new KeyDraft("last-level", "inferrer", null, null, null, null, null)).key().id())
                .isPositive();
    }

    /** Issue 8, one service layer: a key, its quotas and its audit entry commit together or not at all. */
    @Test
    void aKeyItsQuotasAndItsAuditEntryCommitTogetherOrNotAtAll() {
        ApiKey admin = key("admin", null, null, false);
        admin.setRole(Role.ADMIN);
        Caller actor = lookup.caller(keys.store(admin));
        io.tokenrouter.store.EventRepository events = TestDatabases.events(database);
        KeyService service = keyService();
        service.quotas = new io.tokenrouter.quota.QuotaService(quotas, new io.tokenrouter.quota.QuotaGate(quotas, TestDatabases.node(database))) {
            @Override
            public List<io.tokenrouter.quota.QuotaView> set(OwnerType ownerType, long ownerId,
                                                             List<io.tokenrouter.quota.QuotaSpec> specs) {
                super.set(ownerType, ownerId, specs);
                throw new IllegalStateException("the database went away after the quotas were written");
            }
        };
        long keysBefore = keys.findAll(0, 1000).total();
        List<io.tokenrouter.quota.QuotaSpec> quota = List.of(new io.tokenrouter.quota.QuotaSpec("requests", "day", 10L));

        assertThatThrownBy(() -> service.create(actor, new KeyDraft("half-made", "inferrer", null, null, null, null,
                null, quota))).isInstanceOf(IllegalStateException.class);

        assertThat(keys.findAll(0, 1000).total()).isEqualTo(keysBefore);
        assertThat(events.search(null, "config", "half-made", 0, 10).total()).isZero();

        service.quotas = new io.tokenrouter.quota.QuotaService(quotas, new io.tokenrouter.quota.QuotaGate(quotas, TestDatabases.node(database)));
        CreatedKey created = service.create(actor, new KeyDraft("whole", "inferrer", null, null, null, null, null, quota));
        assertThat(quotas.findByOwner(OwnerType.KEY, created.key().id())).hasSize(1);
        assertThat(events.search(null, "config", "whole", 0, 10).items()).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo("admin #" + actor.keyId()));
    }

    /** The console edits a key's role through the same service: within what the actor and the parent allow. */
    @Test
    void aKeysRoleChangesOnlyWithinTheRulesOfItsChainAndItsChildren() {
        KeyService service = keyService();
        ApiKey root = key("root-admin", null, null, false);
        root.setRole(Role.ADMIN);
        Caller admin = lookup.caller(keys.store(root));
        CreatedKey keymaster = service.create(admin, new KeyDraft("km", "keymaster", null, null, null, null, null));
        Caller km = lookup.caller(keys.find(keymaster.key().id()).orElseThrow());
        CreatedKey child = service.create(km, new KeyDraft("km-child", "keymaster", null, null, null, null, null));

        // a keymaster cannot make an admin, even of a key beneath itself
        assertThatThrownBy(() -> service.update(km, child.key().id(), new KeyPatch(null, null, null, null, null, "admin")))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(403));
        // a key with a keymaster beneath it cannot become an inferrer
        assertThatThrownBy(() -> service.update(admin, keymaster.key().id(), new KeyPatch(null, null, null, null, null, "inferrer")))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("role");
                    assertThat(e.getMessage()).contains("km-child");
                });
        // nor rise above its parent
        assertThatThrownBy(() -> service.update(admin, child.key().id(), new KeyPatch(null, null, null, null, null, "admin")))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param()).isEqualTo("role"));
        // the last admin key stays an admin
        assertThatThrownBy(() -> service.update(admin, admin.keyId(), new KeyPatch(null, null, null, null, null, "keymaster")))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(409));
        // nor can it be revoked
        assertThatThrownBy(() -> service.revoke(admin, admin.keyId()))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThatThrownBy(() -> service.update(admin, child.key().id(), new KeyPatch(null, null, null, null, null, "root")))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(400));

        assertThat(service.update(km, child.key().id(), new KeyPatch(null, null, null, null, null, "inferrer")).role())
                .isEqualTo("inferrer");
        assertThat(lookup.caller(keys.find(child.key().id()).orElseThrow()).role()).isEqualTo(Role.INFERRER);
        assertThat(service.update(admin, keymaster.key().id(), new KeyPatch(null, null, null, null, null, "admin")).role())
                .isEqualTo("admin");
        // the admin password's principal stays an admin
        SetupService access = adminAccess(Map.of("tokenrouter.home", "/nonexistent", "tokenrouter.admin_password", "a-long-password-1"));
        access.start();
        long principal = access.passwordPrincipal().getId();
        assertThatThrownBy(() -> service.update(admin, principal, new KeyPatch(null, null, null, null, null, "keymaster")))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param()).isEqualTo("role"));
        // with a second admin, the first may step down
        assertThat(service.update(admin, admin.keyId(), new KeyPatch(null, null, null, null, null, "keymaster")).role())
                .isEqualTo("keymaster");
    }

    private KeyService keyService() {
        KeyService service = new KeyService();
        service.keys = keys;
        service.teams = TestDatabases.teams(database);
        service.lookup = lookup;
        service.database = database;
        service.quotas = new io.tokenrouter.quota.QuotaService(quotas, new io.tokenrouter.quota.QuotaGate(quotas, TestDatabases.node(database)));
        service.audit = auditTrail();
        return service;
    }

    /**
     * While the database is unreachable a key this node verified keeps working past key_cache_ttl (stale while
     * unavailable), a key it never saw is refused at once with 503 database_unavailable (not a 401), and once the
     * database is back the key is loaded again, so a revocation made meanwhile takes effect.
     */
    @Test
    void aCachedKeyStaysValidWhileTheDatabaseIsUnreachableAndAnUnseenKeyGetsAFast503() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        ApiKeyRepository real = keys;
        lookup.keys = new ApiKeyRepository() {
            @Override
            public java.util.Optional<ApiKey> findByHash(String hash) {
                if (down.get()) {
                    throw new io.tokenrouter.store.DatabaseUnavailableException("the database is down", null);
                }
                return real.findByHash(hash);
            }

            @Override
            public java.util.Optional<ApiKey> find(long id) {
                return real.find(id);
            }
        };
        lookup.settings = GatewaySettings.load(Map.of("tokenrouter.home", "/nonexistent", "tokenrouter.key_cache_ttl",
                "200ms"), Map.of());
        String known = KeySecrets.generate();
        String unseen = KeySecrets.generate();
        ApiKey key = stored("known", known);
        stored("unseen", unseen);
        assertThat(lookup.resolve(known).keyId()).isEqualTo(key.getId());

        down.set(true);
        Thread.sleep(300);
        assertThat(lookup.resolve(known).keyId()).as("past key_cache_ttl, from the cache").isEqualTo(key.getId());
        assertThatThrownBy(() -> lookup.resolve(unseen)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("database_unavailable");
            assertThat(e.retryAfter()).isNotNull();
        });

        key.setRevokedAt(Instant.now());
        real.store(key);
        assertThat(lookup.resolve(known).keyId()).as("a revocation waits for the database").isEqualTo(key.getId());
        down.set(false);
        assertThatThrownBy(() -> lookup.resolve(known)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.code()).isEqualTo("revoked_api_key"));
    }

    /** A parent for {@code toro login} keys, named or by id: a key someone holds at the top, nothing else. */
    @Test
    void onlyHeldTopLevelKeysAreFoundAsTopLevelByNameOrId() {
        ApiKey top = key("parent", null, null, false);
        ApiKey child = key("parent", top.getId(), null, false);
        ApiKey revoked = key("parent", null, null, false);
        revoked.setRevokedAt(Instant.now());
        revoked = keys.store(revoked);
        ApiKey person = key("parent", null, null, false);
        person.setKeyHash(ApiKeyRepository.PERSON_PRINCIPAL_PREFIX + "issuer|subject");
        person = keys.store(person);
        ApiKey password = key("parent", null, null, false);
        password.setKeyHash(ApiKeyRepository.PASSWORD_PRINCIPAL_HASH);
        password = keys.store(password);

        assertThat(keys.findTopLevelByName("parent")).extracting(ApiKey::getId).containsExactly(top.getId());
        assertThat(keys.findTopLevel(top.getId())).map(ApiKey::getId).contains(top.getId());
        for (ApiKey other : List.of(child, revoked, person, password)) {
            assertThat(keys.findTopLevel(other.getId())).as(other.getKeyHash()).isEmpty();
        }
        assertThat(keys.findTopLevel(Long.MAX_VALUE)).isEmpty();
    }

    private ApiKey stored(String name, String secret) {
        ApiKey key = new ApiKey();
        key.setName(name);
        key.setKeyHash(KeySecrets.hash(secret));
        key.setDisplayPrefix(KeySecrets.displayPrefix(secret));
        key.setRole(Role.INFERRER);
        key.setCreatedAt(Instant.now());
        return keys.store(key);
    }

    private ApiKey key(String name, Long parentId, Instant expiresAt, boolean temporary) {
        ApiKey key = new ApiKey();
        key.setName(name);
        String secret = KeySecrets.generate();
        key.setKeyHash(KeySecrets.hash(secret));
        key.setDisplayPrefix(KeySecrets.displayPrefix(secret));
        key.setRole(Role.INFERRER);
        key.setParentId(parentId);
        key.setExpiresAt(expiresAt);
        key.setTemporary(temporary);
        key.setCreatedAt(Instant.now());
        return keys.store(key);
    }

}
