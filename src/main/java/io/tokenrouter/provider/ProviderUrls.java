package io.tokenrouter.provider;

import java.net.URI;
import java.net.URISyntaxException;

/** Checks a provider base URL: absolute http(s) with a host, no credentials or fragment in it. */
public final class ProviderUrls {

    private ProviderUrls() {
    }

    public static URI validate(String provider, String baseUrl) {
        try {
            URI uri = new URI(baseUrl);
            if (uri.getHost() == null && uri.getRawAuthority() != null && uri.getRawAuthority().contains("_")) {
                throw new IllegalArgumentException("provider '" + provider + "' base_url host '" + uri.getRawAuthority()
                        + "' is not a valid host name: '_' is not allowed in host names");
            }
            boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (!web || uri.getHost() == null || uri.getUserInfo() != null || uri.getFragment() != null) {
                throw new IllegalArgumentException("provider '" + provider + "' base_url must be an http(s) URL with a"
                        + " host and no user info or fragment, not '" + baseUrl + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("provider '" + provider + "' base_url is not a URL: " + e.getMessage(), e);
        }
    }
}
