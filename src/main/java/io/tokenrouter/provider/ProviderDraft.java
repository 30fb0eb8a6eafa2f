package io.tokenrouter.provider;

import java.util.List;

/**
 * A provider as an API client writes it. Null fields keep their current value on update; on creation
 * {@code preset} fills {@code baseUrl} and the auth style. Timeouts are durations such as {@code 30s}.
 * {@code apiKeys} replaces the key with a pool of keys used in turn by weight ({@code apiKey} with one).
 * {@code forwardUnlistedModels} says whether a model the provider's list leaves out is forwarded as asked
 * ({@link UnlistedModels}; null keeps it, which on creation is the preset's default).
 */
public record ProviderDraft(String name, String preset, String baseUrl, String apiKey, Boolean enabled,
                            String connectTimeout, String readTimeout, Integer position, List<PoolKey> apiKeys,
                            UnlistedModels forwardUnlistedModels) {

    /** One key of a pool as written: the key and its weight (default 1). */
    public record PoolKey(String key, Integer weight) {
    }

    public ProviderDraft(String name, String preset, String baseUrl, String apiKey, Boolean enabled,
                         String connectTimeout, String readTimeout, Integer position) {
        this(name, preset, baseUrl, apiKey, enabled, connectTimeout, readTimeout, position, null, null);
    }
}
