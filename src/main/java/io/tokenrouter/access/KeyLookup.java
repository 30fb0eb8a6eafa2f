package io.tokenrouter.access;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Resolves a presented secret to a {@link Caller}. Results are cached per key hash for at most
 * {@code key_cache_ttl}, so a revocation, expiry or disabling made on any node takes effect everywhere
 * within that bound while the hot path rarely reads the database. Expiry is checked on every call.
 */
@ApplicationScoped
public class KeyLookup {

    private static final int MAX_ENTRIES = 100_000;

    @Inject
    GatewaySettings settings;
    @Inject
    ApiKeyRepository keys;

    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    private record Entry(Caller caller, GatewayException rejection, long loadedAtNanos) {
    }

    public Caller resolve(String secret) {
        String hash = KeySecrets.hash(secret);
        Entry entry = cache.get(hash);
        long now = System.nanoTime();
        if (entry == null || now - entry.loadedAtNanos() > settings.keyCacheTtl().toNanos()) {
            entry = load(secret, hash, now);
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
            cache.put(hash, entry);
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

    private Entry load(String secret, String hash, long now) {
        Optional<ApiKey> found = keys.findByHash(hash);
        if (found.isEmpty() || !KeySecrets.matches(secret, found.get().getKeyHash())) {
            return new Entry(null, GatewayException.invalidApiKey(), now);
        }
        ApiKey key = found.get();
        if (key.getRevokedAt() != null) {
            return new Entry(null, GatewayException.revokedApiKey(), now);
        }
        return new Entry(new Caller(key.getId(), key.getName(), Role.parse(key.getRole()), key.getTeamId(),
                models(key.getAllowedModels()), earliestExpiry(key)), null, now);
    }

    private Instant earliestExpiry(ApiKey key) {
        Instant expiry = key.getExpiresAt();
        Long parent = key.getParentId();
        for (int depth = 0; parent != null && depth < 32; depth++) {
            Optional<ApiKey> p = keys.find(parent);
            if (p.isEmpty()) {
                break;
            }
            if (p.get().getRevokedAt() != null) {
                return Instant.EPOCH;
            }
            Instant pe = p.get().getExpiresAt();
            if (pe != null && (expiry == null || pe.isBefore(expiry))) {
                expiry = pe;
            }
            parent = p.get().getParentId();
        }
        return expiry;
    }

    private static Set<String> models(String list) {
        if (list == null || list.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }
}
