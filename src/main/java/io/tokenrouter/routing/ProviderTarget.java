package io.tokenrouter.routing;

import io.tokenrouter.upstream.AuthStyle;
import java.net.URI;
import java.time.Duration;

/** What the proxy needs to call one provider: where, with which credential, with which timeouts. */
public record ProviderTarget(String name, URI baseUrl, String credential, AuthStyle authStyle,
                             Duration connectTimeout, Duration readTimeout) {

    /** The URL of an endpoint below the base URL, e.g. {@code chat/completions}. */
    public URI resolve(String path) {
        String base = baseUrl.toString();
        return URI.create(base.endsWith("/") ? base + path : base + "/" + path);
    }

    /** The header that carries the credential, or none. */
    public java.util.Map<String, String> authHeaders() {
        String[] auth = authStyle.header(credential);
        return auth == null ? java.util.Map.of() : java.util.Map.of(auth[0], auth[1]);
    }

    @Override
    public String toString() {
        return "ProviderTarget[" + name + " " + baseUrl + "]";
    }
}
