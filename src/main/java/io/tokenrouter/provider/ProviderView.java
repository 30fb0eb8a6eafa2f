package io.tokenrouter.provider;

import io.tokenrouter.store.Provider;
import java.time.Instant;

/** A provider as the API shows it: whether it has a key and how many, never a key. */
public record ProviderView(String name, String preset, String baseUrl, String authStyle, boolean hasApiKey, int apiKeyCount,
                           boolean enabled, int position, Long connectTimeoutMs, Long readTimeoutMs, String source,
                           Instant modelsRefreshedAt, int modelCount, String lastError) {

    static ProviderView of(Provider p, int modelCount) {
        return new ProviderView(p.getName(), p.getPreset(), p.getBaseUrl(), p.getAuthStyle().toLowerCase(java.util.Locale.ROOT),
                p.getApiKeySealed() != null, p.getApiKeyCount(), p.isEnabled(), p.getPosition(), p.getConnectTimeoutMs(), p.getReadTimeoutMs(),
                p.getSource(), p.getModelsRefreshedAt(), modelCount, p.getLastError());
    }
}
