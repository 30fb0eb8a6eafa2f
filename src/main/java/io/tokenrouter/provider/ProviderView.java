package io.tokenrouter.provider;

import io.tokenrouter.store.Provider;
import io.tokenrouter.upstream.ProviderPreset;
import java.time.Instant;

/**
 * A provider as the API shows it: whether it has a key and how many, never a key; whether models its list
 * leaves out are forwarded ({@code forwardUnlistedModels}, in force) and whether that is its preset's default;
 * {@code signIn} names where its key is signed in for ({@code GitHub}) when its preset takes no pasted key.
 */
public record ProviderView(String name, String preset, String baseUrl, String authStyle, boolean hasApiKey, int apiKeyCount,
                           boolean enabled, int position, Long connectTimeoutMs, Long readTimeoutMs, String source,
                           Instant modelsRefreshedAt, int modelCount, String lastError, boolean forwardUnlistedModels,
                           boolean forwardUnlistedModelsByDefault, String signIn) {

    static ProviderView of(Provider p, int modelCount) {
        boolean byDefault = p.getForwardUnlistedModels() == null;
        return new ProviderView(p.getName(), p.getPreset(), p.getBaseUrl(), p.getAuthStyle().toLowerCase(java.util.Locale.ROOT),
                p.getApiKeySealed() != null, p.getApiKeyCount(), p.isEnabled(), p.getPosition(), p.getConnectTimeoutMs(), p.getReadTimeoutMs(),
                p.getSource(), p.getModelsRefreshedAt(), modelCount, p.getLastError(),
                byDefault ? ProviderPreset.forwardsUnlistedByDefault(p.getPreset()) : p.getForwardUnlistedModels(), byDefault,
                ProviderPreset.find(p.getPreset()).flatMap(ProviderPreset::deviceLogin).map(d -> d.label()).orElse(null));
    }
}
