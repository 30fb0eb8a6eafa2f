package io.tokenrouter.routing;

import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.upstream.CredentialScrubber;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What the proxy needs to call one provider: where, with which credential (or pool of keys, used in
 * turn by weight), with which timeouts, whether a model its list leaves out is forwarded as asked, and
 * what removes its credentials from its answers (made once, with the target).
 */
public record ProviderTarget(String name, URI baseUrl, String credential, AuthStyle authStyle,
                             Duration connectTimeout, Duration readTimeout, List<Key> keys,
                             boolean forwardsUnlistedModels, CredentialScrubber scrubber) {

    /** One key of a provider's pool. */
    public record Key(String credential, int weight) {
        @Override
        public String toString() {
            return "Key[weight=" + weight + "]";
        }
    }

    public ProviderTarget {
        keys = keys == null ? List.of() : List.copyOf(keys);
        if (scrubber == null) {
            List<String> all = new java.util.ArrayList<>();
            all.add(credential);
            keys.forEach(k -> all.add(k.credential()));
            scrubber = CredentialScrubber.of(all);
        }
    }

    /** A provider; its scrubber is made from its credentials. */
    public ProviderTarget(String name, URI baseUrl, String credential, AuthStyle authStyle, Duration connectTimeout,
                          Duration readTimeout, List<Key> keys, boolean forwardsUnlistedModels) {
        this(name, baseUrl, credential, authStyle, connectTimeout, readTimeout, keys, forwardsUnlistedModels, null);
    }

    /** A provider with one key (or none) that routes only the models it lists (once it has listed some). */
    public ProviderTarget(String name, URI baseUrl, String credential, AuthStyle authStyle, Duration connectTimeout,
                          Duration readTimeout) {
        this(name, baseUrl, credential, authStyle, connectTimeout, readTimeout, List.of(), false);
    }

    /**
     * The header that carries {@code key} (one of the pool's, or the single credential), or none; with the API
     * version an Anthropic provider needs on every call (with a key or without).
     */
    public java.util.Map<String, String> authHeaders(String key) {
        String[] auth = authStyle.header(key);
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (auth != null) {
            headers.put(auth[0], auth[1]);
        }
        if (authStyle.speaksAnthropic()) {
            headers.put("anthropic-version", AuthStyle.ANTHROPIC_VERSION);
        }
        return java.util.Collections.unmodifiableMap(headers);
    }

    /** Whether the provider speaks Anthropic's Messages API rather than OpenAI's. */
    public boolean speaksAnthropic() {
        return authStyle.speaksAnthropic();
    }

    /**
     * The URL of an endpoint below the base URL, e.g. {@code chat/completions}; a query of the base URL (SAP AI Core's
     * {@code ?api-version=…}) follows the endpoint's path and its own query.
     */
    public URI resolve(String path) {
        String base = baseUrl.toString();
        String query = baseUrl.getRawQuery();
        if (query != null) {
            base = base.substring(0, base.indexOf('?'));
        }
        String url = base.endsWith("/") ? base + path : base + "/" + path;
        return URI.create(query == null || query.isEmpty() ? url : url + (path.indexOf('?') >= 0 ? "&" : "?") + query);
    }

    /** The header that carries the credential, or none. */
    public java.util.Map<String, String> authHeaders() {
        return authHeaders(credential);
    }

    @Override
    public String toString() {
        return "ProviderTarget[" + name + " " + baseUrl + "]";
    }
}
