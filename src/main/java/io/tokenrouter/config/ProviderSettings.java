package io.tokenrouter.config;

import java.time.Duration;
import java.util.List;

/**
 * One {@code [[providers]]} entry of {@code tokenrouter.toml} (or the seed's {@code PROVIDER_BASE_URL}).
 * Null fields fall back to the preset's or the global defaults when the provider is stored.
 */
public record ProviderSettings(String name, String preset, String baseUrl, String apiKey, boolean enabled,
                               Duration connectTimeout, Duration readTimeout, List<PoolKey> apiKeys,
                               Boolean forwardUnlistedModels) {

    /** One key of {@code api_keys}: a string, or a table with {@code key} and {@code weight}. */
    public record PoolKey(String key, int weight) {
        @Override
        public String toString() {
            return "PoolKey[weight=" + weight + "]";
        }
    }

    public ProviderSettings(String name, String preset, String baseUrl, String apiKey, boolean enabled,
                            Duration connectTimeout, Duration readTimeout) {
        this(name, preset, baseUrl, apiKey, enabled, connectTimeout, readTimeout, null, null);
    }
}
