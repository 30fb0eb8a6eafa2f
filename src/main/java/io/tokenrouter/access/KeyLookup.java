package io.tokenrouter.access;

import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.DatabaseUnavailableException;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.Team;
import io.tokenrouter.store.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.stream.Collectors;

/**
 * Resolves a presented secret to a {@link Caller}: the key, its chain of ancestors, its team, the
 * narrowed model allow-list and whether quotas apply. Results are cached per key hash for at most
 * {@code key_cache_ttl}, so a revocation, expiry or disabling made on any node takes effect everywhere
 * within that bound while the hot path rarely reads the database. Expiry is checked on every call.
 */
@ApplicationScoped
public class KeyLookup {

    static final int MAX_ENTRIES = 100_000;
    /**
     * The deepest a key may sit: itself and at most {@value} − 1 ancestors. Creation refuses deeper keys,
     * and a key whose chain is longer (or broken) is refused as a whole, never used with part of its chain.
     */
    public static final int MAX_DEPTH = 8;

    @Inject
    GatewaySettings settings;
    @Inject
    ApiKeyRepository keys;
    @Inject
    TeamRepository teams;
    @Inject
    QuotaRepository quotas;

    /**
     * Verified keys (and refusals) by hash, with when they were loaded: at most {@link #MAX_ENTRIES}, least used
     * evicted first. An entry older than key_cache_ttl is loaded again before use; while the database is
     * unreachable it is used as it is (stale while unavailable), so the keys in use keep working.
     */
    private volatile Cache<String, Entry> cache;
    private Clock clock = Clock.systemUTC();

    private record Entry(Caller caller, GatewayException rejection, long loadedNanos) {
    }

    public Caller resolve(String secret) {
        String hash = KeySecrets.hash(secret);
        Entry entry = cache().getIfPresent(hash);
        if (entry == null || stale(entry)) {
            // one load per key at a time; the others wait for it, as with a cache loader
            entry = cache().asMap().compute(hash, (h, current) -> current != null && !stale(current) ? current
                    : reload(secret, h, current));
        }
        if (entry.rejection() != null) {
            throw entry.rejection();
        }
        Caller caller = entry.caller();
        if (caller.expiresAt() != null && !clock.instant().isBefore(caller.expiresAt())) {
            throw GatewayException.expiredApiKey(caller.expiresAt().toString());
        }
        return caller;
    }

    /**
     * Loads the key anew; when the database cannot be reached, keeps using what this node knew ({@code stale}),
     * and refuses a key it never saw with a fast 503 (not a 401: the key may well be valid).
     */
    private Entry reload(String secret, String hash, Entry stale) {
        try {
            return load(secret, hash);
        } catch (DatabaseUnavailableException e) {
            if (stale != null) {
                return stale;
            }
            throw GatewayException.databaseUnavailable("The key cannot be checked now: the database is unreachable and this"
                    + " node has not seen the key before.");
        }
    }

    private boolean stale(Entry entry) {
        return System.nanoTime() - entry.loadedNanos() >= settings.keyCacheTtl().toNanos();
    }

    /** Forgets cached results on this node, e.g. right after this node revoked a key. */
    public void invalidateAll() {
        cache().invalidateAll();
    }

    private Cache<String, Entry> cache() {
        Cache<String, Entry> c = cache;
        if (c == null) {
            synchronized (this) {
                if (cache == null) {
                    cache = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
                }
                c = cache;
            }
        }
        return c;
    }

    private Entry load(String secret, String hash) {
        long now = System.nanoTime();
        Optional<ApiKey> found = keys.findByHash(hash);
        if (found.isEmpty() || !KeySecrets.matches(secret, found.get().getKeyHash())) {
            return new Entry(null, GatewayException.invalidApiKey(), now);
        }
        try {
            return new Entry(caller(found.get()), null, now);
        } catch (GatewayException rejection) {
            return new Entry(null, rejection, now);
        }
    }

    /** Builds the caller of a stored key, or throws why the key may not be used. */
    public Caller caller(ApiKey key) {
        List<ApiKey> chain = chain(key);
        Team team = key.getTeamId() == null ? null : teams.find(key.getTeamId()).orElse(null);
        if (team != null && team.isDisabled()) {
            throw new GatewayException(401, "invalid_request_error", "team_disabled", null,
                    "The key's team '" + team.getName() + "' is disabled.");
        }
        Instant expiry = null;
        Set<String> models = team == null ? null : models(team.getAllowedModels());
        Map<Long, String> names = new LinkedHashMap<>();
        Set<String> unmetered = new java.util.TreeSet<>(Unmetered.parse(team == null ? null : team.getUnmeteredAllowed()));
        for (ApiKey k : chain) {
            if (k.getRevokedAt() != null) {
                throw k == key ? GatewayException.revokedApiKey() : new GatewayException(401, "invalid_request_error",
                        "revoked_api_key", null, "The key's parent key '" + k.getName() + "' has been revoked.");
            }
            if (k.getExpiresAt() != null && (expiry == null || k.getExpiresAt().isBefore(expiry))) {
                expiry = k.getExpiresAt();
            }
            models = narrow(models, models(k.getAllowedModels()));
            names.put(k.getId(), k.getName());
            unmetered.addAll(Unmetered.parse(k.getUnmeteredAllowed()));
        }
        List<Long> ids = new ArrayList<>(names.keySet());
        List<Caller.Limit> limits = quotas.findForOwners(ids, key.getTeamId()).stream()
                .map(q -> new Caller.Limit(q.getId(), q.getMetric(), q.getModel(), q.getPeriod(), q.getOutageCredit()))
                .toList();
        return new Caller(key.getId(), key.getName(), key.getRole(), key.getTeamId(),
                team == null ? null : team.getName(), models, expiry, List.copyOf(ids), Map.copyOf(names), limits,
                key.isCaptureConversations(), Set.copyOf(unmetered));
    }

    /** The key and all its ancestors, or a 401 when they cannot all be loaded: a chain is used whole or not at all. */
    private List<ApiKey> chain(ApiKey key) {
        List<ApiKey> chain = new ArrayList<>();
        chain.add(key);
        Long parent = key.getParentId();
        while (parent != null) {
            if (chain.size() >= MAX_DEPTH) {
                throw brokenChain(key, "it is nested deeper than " + MAX_DEPTH + " keys");
            }
            Optional<ApiKey> p = keys.find(parent);
            if (p.isEmpty()) {
                throw brokenChain(key, "its parent key #" + parent + " no longer exists");
            }
            chain.add(p.get());
            parent = p.get().getParentId();
        }
        return chain;
    }

    private static GatewayException brokenChain(ApiKey key, String why) {
        return new GatewayException(401, "invalid_request_error", "invalid_api_key", null,
                "The key '" + key.getName() + "' cannot be used: " + why + ".");
    }

    private static Set<String> narrow(Set<String> current, Set<String> next) {
        if (next == null) {
            return current;
        }
        if (current == null) {
            return next;
        }
        return current.stream().filter(next::contains).collect(Collectors.toUnmodifiableSet());
    }

    static Set<String> models(String list) {
        if (list == null || list.isBlank()) {
            return null;
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    void useClock(Clock clock) {
        this.clock = clock;
    }
}
