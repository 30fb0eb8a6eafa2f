package io.tokenrouter.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Single sign-on through an OpenID Connect provider: the {@code [sso]} table of {@code tokenrouter.toml}, or
 * {@code tokenrouter.sso.<key>} properties and {@code TOKENROUTER_SSO_<KEY>} variables. Sign-in by single
 * sign-on is offered when both {@code issuer} and {@code client_id} are set.
 *
 * @param issuer            the provider's issuer URL; its discovery document is read from
 *                          {@code <issuer>/.well-known/openid-configuration}
 * @param clientId          the gateway's client id at the provider
 * @param clientSecret      its client secret; without one the gateway is a public client (PKCE only)
 * @param scopes            the scopes asked for; {@code openid} is always among them
 * @param publicUrl         the gateway's address as browsers see it ({@code https://gw.example.com}); the
 *                          provider sends people back to {@code <public_url>/admin/sso/callback}. Unset, it is
 *                          taken from each request
 * @param groupsClaim       the ID token (or user info) claim listing a person's groups
 * @param adminGroups       groups whose members are admins
 * @param keymasterGroups   groups whose members are keymasters (admins win when a person is in both)
 * @param teamClaim         a claim naming the team a keymaster belongs to, if any
 * @param emailDomains      the only email domains admitted (with a verified email); empty admits any
 * @param label             the button's words: "Sign in with …"
 * @param logoutAtProvider  whether signing out also ends the session at the provider (when it offers RP-initiated
 *                          logout)
 * @param clockSkew         how far the provider's clock may be from ours
 * @param httpTimeout       how long a call to the provider may take
 * @param cli               {@code toro login}: the device authorization grant
 */
public record SsoSettings(URI issuer, String clientId, Optional<String> clientSecret, List<String> scopes,
                          Optional<URI> publicUrl, String groupsClaim, List<String> adminGroups,
                          List<String> keymasterGroups, Optional<String> teamClaim, List<String> emailDomains,
                          String label, boolean logoutAtProvider, Duration clockSkew, Duration httpTimeout, Cli cli) {

    /**
     * {@code toro login}: people sign in on the command line through the device authorization grant (RFC 8628) and
     * get a key of their own beneath {@code parentKey}.
     *
     * @param clientId     the client id for the device grant (many providers want a public, native client for it);
     *                     unset: the console's
     * @param clientSecret its secret, if it has one (unset with {@code cli_client_id} set: a public client)
     * @param endpoint     the device authorization endpoint when the discovery document names none
     * @param parentKey    the key (name, or {@code #id}) the keys of {@code toro login} are made beneath: their limits
     *                     bound them; unset: {@code toro login} is off
     * @param keyTtl       how long such a key lives
     */
    public record Cli(Optional<String> clientId, Optional<String> clientSecret, Optional<URI> endpoint,
                      Optional<String> parentKey, Duration keyTtl) {

    }

    public SsoSettings {
        scopes = scopes.contains("openid") ? List.copyOf(scopes)
                : java.util.stream.Stream.concat(java.util.stream.Stream.of("openid"), scopes.stream()).toList();
        adminGroups = List.copyOf(adminGroups);
        keymasterGroups = List.copyOf(keymasterGroups);
        emailDomains = emailDomains.stream().map(d -> d.toLowerCase(Locale.ROOT).replaceFirst("^@", "")).toList();
    }

    /** The {@code [sso]} settings, or empty when single sign-on is not configured. */
    static Optional<SsoSettings> read(SettingsSource sso) {
        Optional<String> issuer = sso.get("issuer");
        Optional<String> clientId = sso.get("client_id");
        if (issuer.isEmpty() && clientId.isEmpty()) {
            return Optional.empty();
        }
        if (issuer.isEmpty() || clientId.isEmpty()) {
            throw new IllegalStateException("Single sign-on needs both sso.issuer and sso.client_id; "
                    + (issuer.isEmpty() ? "sso.issuer" : "sso.client_id") + " is not set");
        }
        List<String> admins = sso.list("admin_groups").orElse(List.of());
        List<String> keymasters = sso.list("keymaster_groups").orElse(List.of());
        if (admins.isEmpty() && keymasters.isEmpty()) {
            throw new IllegalStateException("Single sign-on needs sso.admin_groups or sso.keymaster_groups: the groups"
                    + " whose members may use the console");
        }
        Duration skew = sso.duration("clock_skew", Duration.ofSeconds(60));
        if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalStateException("sso.clock_skew must be between 0s and 10m");
        }
        Duration cliTtl = sso.duration("cli_key_ttl", Duration.ofDays(30));
        if (cliTtl.compareTo(Duration.ofMinutes(5)) < 0 || cliTtl.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalStateException("sso.cli_key_ttl must be between 5m and 365d");
        }
        Optional<String> cliClient = sso.get("cli_client_id");
        Cli cli = new Cli(cliClient, cliClient.isPresent() ? sso.get("cli_client_secret") : Optional.empty(),
                sso.get("device_authorization_endpoint").map(u -> url("sso.device_authorization_endpoint", u, true)),
                sso.get("cli_parent_key"), cliTtl);
        return Optional.of(new SsoSettings(url("sso.issuer", issuer.get(), true), clientId.get(),
                sso.get("client_secret"), sso.list("scopes").orElse(List.of("openid", "profile", "email")),
                sso.get("public_url").map(u -> url("sso.public_url", u.replaceFirst("/+$", ""), false)),
                sso.get("groups_claim").orElse("groups"), admins, keymasters, sso.get("team_claim"),
                sso.list("allowed_email_domains").orElse(List.of()), sso.get("label").orElse("single sign-on"),
                sso.flag("logout_at_provider", true), skew, sso.duration("http_timeout", Duration.ofSeconds(10)), cli));
    }

    /** The client id the device grant uses. */
    public String cliClientId() {
        return cli.clientId().orElse(clientId);
    }

    /** The secret the device grant's client authenticates with, if any. */
    public Optional<String> cliClientSecret() {
        return cli.clientId().isPresent() ? cli.clientSecret() : clientSecret;
    }

    /** An http(s) URL; an issuer (or another of the provider's endpoints) must be https unless on this machine. */
    private static URI url(String key, String text, boolean issuer) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(key + " is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw new IllegalStateException(key + " must be an http(s) URL, not " + text);
        }
        if (issuer && scheme.equals("http") && !loopback(uri.getHost())) {
            throw new IllegalStateException(key + " must use https (plain http only on this machine), not " + text);
        }
        return uri;
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    /** The role a person in {@code groups} gets: "admin", "keymaster", or empty for none. */
    public Optional<String> roleFor(List<String> groups) {
        if (groups.stream().anyMatch(adminGroups::contains)) {
            return Optional.of("admin");
        }
        if (groups.stream().anyMatch(keymasterGroups::contains)) {
            return Optional.of("keymaster");
        }
        return Optional.empty();
    }

    /** Whether {@code email} (already verified) is in an allowed domain, or any domain is allowed. */
    public boolean emailAllowed(String email) {
        if (emailDomains.isEmpty()) {
            return true;
        }
        if (email == null || email.indexOf('@') < 0) {
            return false;
        }
        return emailDomains.contains(email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return "SsoSettings[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
                + (clientSecret.isPresent() ? "(set)" : "(none)") + "]";
    }
}
