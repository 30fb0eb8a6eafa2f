package io.tokenrouter.provider;

/**
 * A provider as an API client writes it. Null fields keep their current value on update; on creation
 * {@code preset} fills {@code baseUrl} and the auth style. Timeouts are durations such as {@code 30s}.
 */
public record ProviderDraft(String name, String preset, String baseUrl, String apiKey, Boolean enabled,
                            String connectTimeout, String readTimeout, Integer position) {
}
