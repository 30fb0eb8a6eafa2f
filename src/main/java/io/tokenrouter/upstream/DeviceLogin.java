package io.tokenrouter.upstream;

/**
 * An OAuth 2.0 device authorization grant (RFC 8628) that gives a provider's key: the administrator is shown a code
 * to enter at the sign-in server's page, and the gateway asks the server for the token until it is granted.
 * {@code server} is the default sign-in server; another of the same kind (GitHub Enterprise Server) may be named.
 */
public record DeviceLogin(String label, String server, String codePath, String tokenPath, String clientId, String scope) {

    /**
     * GitHub's device flow, by default with the OAuth app that OpenCode registered for signing in to GitHub Copilot
     * (the one the original TokenRouter uses too); an organisation may name its own app's client id instead.
     */
    public static final DeviceLogin GITHUB = new DeviceLogin("GitHub", "https://github.com", "/login/device/code",
            "/login/oauth/access_token", "Ov23li8tweQw6odWQebz", "read:user");
}
