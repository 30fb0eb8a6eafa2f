package io.tokenrouter.config;

import java.time.Duration;

/**
 * One {@code [[providers]]} entry of {@code tokenrouter.toml} (or the seed's {@code PROVIDER_BASE_URL}).
 * Null fields fall back to the preset's or the global defaults when the provider is stored.
 */
public record ProviderSettings(String name, String preset, String baseUrl, String apiKey, boolean enabled,
                               Duration connectTimeout, Duration readTimeout) {
}
