package io.tokenrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Texts;
import io.tokenrouter.upstream.DeviceLogin;
import io.tokenrouter.upstream.OutboundHttp;
import io.tokenrouter.upstream.ProviderPreset;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs a provider in whose key only a sign-in gives (GitHub Copilot's GitHub token), by the OAuth device flow
 * (RFC 8628): {@link #start} asks the sign-in server for a code, which the administrator enters at the page it
 * names; {@link #poll} asks for the token with the device code until it is granted, then stores it as the
 * provider's key. Nothing is held between the two calls: the device code goes back and forth with the
 * administrator, so any node of a cluster can answer either call. Admins only.
 */
@ApplicationScoped
public class DeviceSignIn {

    static final Duration DEADLINE = Duration.ofSeconds(20);
    static final String GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    /** Bounds on what the sign-in server and the administrator send back. */
    static final int MAX_CODE = 512;
    static final long MAX_WAIT_SECONDS = 3_600;

    /** A started sign-in: the code to enter at {@code verificationUri}, and the device code to poll with. */
    public record Started(String provider, String server, String clientId, String userCode, String verificationUri,
                          String deviceCode, long expiresIn, long interval) implements java.io.Serializable {
    }

    /**
     * Where a sign-in stands: {@code pending} (poll again in {@code interval} seconds) or {@code signed_in} (the
     * provider's key is stored).
     */
    public record Polled(String provider, String status, long interval, String message) implements java.io.Serializable {
        public boolean pending() {
            return "pending".equals(status);
        }
    }

    @Inject
    ProviderService providers;
    @Inject
    OutboundHttp http;

    /**
     * Asks the sign-in server ({@code server}, else the preset's) for a code to sign provider {@code name} in with, for
     * the OAuth app {@code clientId} (else the preset's).
     */
    public Started start(Caller actor, String name, String server, String clientId) {
        Authorization.requireAdmin(actor);
        DeviceLogin login = login(name);
        String base = server(name, login, server);
        String client = client(login, clientId);
        JsonNode answer = call(name, login, base + login.codePath(), Json.text(Map.of("client_id", client,
                "scope", login.scope())));
        String userCode = bounded(Json.textOrNull(answer, "user_code"));
        String deviceCode = bounded(Json.textOrNull(answer, "device_code"));
        String page = Json.textOrNull(answer, "verification_uri");
        if (userCode == null || deviceCode == null || !webPage(page)) {
            throw GatewayException.upstreamInvalid(name, login.label() + " gave no device code, user code and http(s)"
                    + " page to enter it at");
        }
        return new Started(name, base, client, userCode, page, deviceCode, seconds(answer, "expires_in", 900),
                Math.max(1, seconds(answer, "interval", 5)));
    }

    /**
     * Asks for the token of a started sign-in; once granted, it becomes provider {@code name}'s key. A code that
     * expired or was denied is a 400 that says to start again.
     */
    public Polled poll(Caller actor, String name, String deviceCode, String server, String clientId) {
        Authorization.requireAdmin(actor);
        DeviceLogin login = login(name);
        String client = client(login, clientId);
        if (deviceCode == null || bounded(deviceCode.strip()) == null) {
            throw GatewayException.invalidRequest("device_code", "device_code must be the code the sign-in was started"
                    + " with (at most " + MAX_CODE + " characters).");
        }
        String base = server(name, login, server);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("client_id", client);
        body.put("device_code", deviceCode.strip());
        body.put("grant_type", GRANT);
        JsonNode answer = call(name, login, base + login.tokenPath(), Json.text(body));
        String error = Json.textOrNull(answer, "error");
        if ("authorization_pending".equals(error)) {
            return new Polled(name, "pending", Math.max(1, seconds(answer, "interval", 5)),
                    "Waiting for the code to be entered at " + login.label() + ".");
        }
        if ("slow_down".equals(error)) {
            return new Polled(name, "pending", Math.max(5, seconds(answer, "interval", 10)),
                    login.label() + " asked to be asked less often.");
        }
        if (error != null) {
            String why = switch (error) {
                case "expired_token" -> "the code expired";
                case "access_denied" -> "the sign-in was cancelled at " + login.label();
                case "incorrect_device_code" -> "the device code is not one " + login.label() + " gave";
                default -> login.label() + " answered '" + Texts.abbreviate(error, 100) + "'";
            };
            throw GatewayException.invalidRequest("device_code", "Provider '" + name + "' was not signed in: " + why
                    + "; start the sign-in again.");
        }
        String token = Json.textOrNull(answer, "access_token");
        if (token == null || token.isBlank()) {
            throw GatewayException.upstreamInvalid(name, login.label() + " answered with neither a token nor an error");
        }
        providers.signedIn(actor, name, token, login.label());
        return new Polled(name, "signed_in", 0, "Signed in with " + login.label() + "; the token is the provider's key.");
    }

    private DeviceLogin login(String name) {
        return providers.presetOf(name).flatMap(ProviderPreset::deviceLogin).orElseThrow(() ->
                GatewayException.invalidRequest("provider", "Provider '" + name + "' takes a pasted API key; only a"
                        + " provider of a preset with a sign-in (github-copilot) is signed in."));
    }

    /** The OAuth app signed in for: the preset's, or the organisation's own (visible ASCII, bounded). */
    private static String client(DeviceLogin login, String clientId) {
        if (clientId == null || clientId.isBlank()) {
            return login.clientId();
        }
        String client = bounded(clientId.strip());
        if (client == null || client.length() > 200) {
            throw GatewayException.invalidRequest("client_id", "client_id must be an OAuth app's client id: at most 200"
                    + " visible ASCII characters.");
        }
        return client;
    }

    /** The sign-in server: the preset's, or another of its kind (GitHub Enterprise Server) as an http(s) URL. */
    private static String server(String name, DeviceLogin login, String server) {
        String chosen = server == null || server.isBlank() ? login.server() : server.strip();
        try {
            URI uri = ProviderUrls.validate(name, chosen);
            if (uri.getRawQuery() != null) {
                throw new IllegalArgumentException("the sign-in server's URL may not have a query");
            }
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest("server", e.getMessage());
        }
        return chosen.endsWith("/") ? chosen.substring(0, chosen.length() - 1) : chosen;
    }

    private JsonNode call(String name, DeviceLogin login, String url, String json) {
        OutboundHttp.Answer answer;
        try {
            answer = http.postJson(URI.create(url), Map.of("Accept", "application/json"), json, DEADLINE);
        } catch (IOException e) {
            throw GatewayException.upstreamUnavailable(name, login.label() + "'s sign-in: " + e.getMessage(), e);
        }
        JsonNode body = Json.parseOrNull(answer.body());
        // an OAuth server answers a pending or refused device grant with 400 and an error: read like a 200's
        if (body == null || !body.isObject() || (!answer.ok() && Json.textOrNull(body, "error") == null)) {
            throw GatewayException.upstreamInvalid(name, login.label() + "'s sign-in answered HTTP " + answer.status()
                    + " without a JSON object");
        }
        return body;
    }

    /** Whether the page to enter the code at is one to link to: an http(s) URL with a host, as a base URL must be. */
    private static boolean webPage(String page) {
        if (page == null || page.length() > 2_000) {
            return false;
        }
        try {
            ProviderUrls.validate("sign-in page", page);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A code of visible ASCII within {@link #MAX_CODE}, else null. */
    private static String bounded(String code) {
        if (code == null || code.isEmpty() || code.length() > MAX_CODE) {
            return null;
        }
        return code.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? code : null;
    }

    private static long seconds(JsonNode answer, String field, long otherwise) {
        JsonNode value = answer.get(field);
        return value != null && value.canConvertToLong() ? Math.max(0, Math.min(value.asLong(), MAX_WAIT_SECONDS)) : otherwise;
    }
}
