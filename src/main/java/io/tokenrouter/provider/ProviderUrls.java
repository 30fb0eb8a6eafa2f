package io.tokenrouter.provider;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Checks a provider base URL: absolute http(s) with a host, no credentials or fragment in it, and no placeholder
 * of a preset's template ({@code {resource_name}}) left in it.
 */
public final class ProviderUrls {

    private ProviderUrls() {
    }

    public static URI validate(String provider, String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("provider '" + provider + "' base_url is required");
        }
        java.util.regex.Matcher placeholder = java.util.regex.Pattern.compile("\\{[^}]*}").matcher(baseUrl);
        if (placeholder.find()) {
            throw new IllegalArgumentException("provider '" + provider + "' base_url still holds the placeholder "
                    + placeholder.group() + " of its preset's template; put your own value in its place");
        }
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
