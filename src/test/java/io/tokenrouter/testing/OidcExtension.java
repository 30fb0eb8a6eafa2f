package io.tokenrouter.testing;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.InetAddress;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.Headers;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The OpenID Connect provider of the test run: navikt's mock-oauth2-server on the loopback port the gateway's test
 * configuration names ({@code it.oidc.port}), issuer {@code /default}, with its interactive sign-in form (a subject
 * and the claims to put in the tokens, such as {@code groups}). A test may {@linkplain #forgeNextToken arm} the token
 * endpoint to answer once with an ID token of its own making: signed by another key, for another audience, expired.
 * <p>
 * The mock has no device authorization grant (RFC 8628), so this adds one: {@code POST /default/device_authorization}
 * starts it, {@link #approve} (standing for the person who confirms the code in a browser) approves it with the
 * claims of their choosing, or {@link #deny} declines it, and the token endpoint answers the device code grant with
 * {@code authorization_pending} until then.
 */
public final class OidcExtension implements BeforeAllCallback {

    public static final String CLIENT_ID = "tokenrouter-it";
    private static MockOAuth2Server server;
    private static RSAKey signingKey;
    private static final AtomicReference<String> FORGED = new AtomicReference<>();
    private static final AtomicReference<String> FORGED_REFRESH = new AtomicReference<>();
    private static final Map<String, java.util.function.Supplier<String>> REFRESHES =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicInteger REFRESHED = new java.util.concurrent.atomic.AtomicInteger();

    public static synchronized MockOAuth2Server server() {
        if (server == null) {
            try {
                // the provider names its key after its issuer id
                signingKey = new RSAKeyGenerator(2048).keyID("default").generate();
            } catch (com.nimbusds.jose.JOSEException e) {
                throw new IllegalStateException(e);
            }
            OAuth2Config config = new OAuth2Config(true, null, null, false, new OAuth2TokenProvider(
                    new KeyProvider(java.util.List.of(signingKey), "RS256")), java.util.Set.of());
            MockOAuth2Server s = new MockOAuth2Server(config, new Refresh(), new ForgedToken(),
                    new DeviceAuthorization(), new DeviceToken());
            s.start(InetAddress.getLoopbackAddress(), Integer.getInteger("it.oidc.port"));
            server = s;
        }
        return server;
    }

    /** The issuer, as the gateway is configured with it. */
    public static String issuer() {
        return "http://127.0.0.1:" + Integer.getInteger("it.oidc.port") + "/default";
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server();
    }

    /** The next call of the token endpoint answers with {@code idToken} (and an access token nobody checks). */
    public static void forgeNextToken(String idToken) {
        FORGED.set(idToken);
    }

    /** As {@link #forgeNextToken(String)}, with a refresh token. */
    public static void forgeNextToken(String idToken, String refreshToken) {
        FORGED.set(idToken);
        FORGED_REFRESH.set(refreshToken);
    }

    /**
     * The token endpoint answers the refresh token grant with {@code refreshToken} by the ID token {@code renewed}
     * makes (null: refused with {@code invalid_grant}); the answers given are counted.
     */
    public static void answerRefresh(String refreshToken, java.util.function.Supplier<String> renewed) {
        REFRESHES.put(refreshToken, renewed);
    }

    /** How many refresh grants the token endpoint answered. */
    public static int refreshesAnswered() {
        return REFRESHED.get();
    }

    /** The provider's own signing key (the tests hold it, to sign tokens that are wrong in other ways). */
    public static RSAKey signingKey() {
        server();
        return signingKey;
    }

    /**
     * An ID token with these claims on top of a plausible set (this issuer, audience {@link #CLIENT_ID}, an hour to
     * live, {@code nonce}), signed by {@code key} under key id {@code kid}.
     */
    public static String idToken(RSAKey key, String kid, String nonce, Map<String, Object> claims) throws Exception {
        long now = System.currentTimeMillis();
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().issuer(issuer()).subject("mallory")
                .audience(CLIENT_ID).issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000))
                .claim("nonce", nonce).claim("groups", java.util.List.of("tr-admins"));
        claims.forEach(set::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT)
                .build(), set.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** The value {@code response} sets for cookie {@code name}; null when it sets none or clears it. */
    public static String cookie(java.net.http.HttpResponse<?> response, String name) {
        for (String c : response.headers().allValues("Set-Cookie")) {
            if (c.startsWith(name + "=")) {
                String value = c.substring(name.length() + 1).split(";", 2)[0];
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /** The decoded parameters of a raw query string. */
    public static Map<String, String> query(String raw) {
        Map<String, String> result = new java.util.LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            result.put(java.net.URLDecoder.decode(kv[0], java.nio.charset.StandardCharsets.UTF_8),
                    kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "");
        }
        return result;
    }

    /** A key of nobody's. */
    public static RSAKey foreignKey() throws Exception {
        return new RSAKeyGenerator(2048).generate();
    }

    /** A device sign-in at the provider: its user code, and the person's answer once they gave it. */
    private static final class Device {
        final String userCode;
        volatile Map<String, Object> approved;
        volatile String subject;
        volatile boolean denied;

        Device(String userCode) {
            this.userCode = userCode;
        }
    }

    private static final Map<String, Device> DEVICES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The person confirms {@code userCode} as {@code subject} with these claims (their groups, email…). */
    public static void approve(String userCode, String subject, Map<String, Object> claims) {
        Device device = device(userCode);
        device.subject = subject;
        device.approved = claims;
    }

    /** The person declines {@code userCode}. */
    public static void deny(String userCode) {
        device(userCode).denied = true;
    }

    private static Device device(String userCode) {
        return DEVICES.values().stream().filter(d -> d.userCode.equals(userCode)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device sign-in with user code " + userCode));
    }

    private static OAuth2HttpResponse json(int status, String body) {
        return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), status, body, null);
    }

    /** {@code POST …/device_authorization}: a device code, a user code, and where to confirm it. */
    private static final class DeviceAuthorization implements Route {

        @Override
        public boolean match(OAuth2HttpRequest request) {
            return "POST".equals(request.getMethod()) && request.getUrl().encodedPath().endsWith("/device_authorization");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            String deviceCode = java.util.UUID.randomUUID().toString();
            String userCode = java.util.UUID.randomUUID().toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
            DEVICES.put(deviceCode, new Device(userCode));
            return json(200, "{\"device_code\":\"" + deviceCode + "\",\"user_code\":\"" + userCode
                    + "\",\"verification_uri\":\"" + issuer() + "/device\",\"verification_uri_complete\":\""
                    + issuer() + "/device?user_code=" + userCode + "\",\"expires_in\":600,\"interval\":1}");
        }
    }

    /** The token endpoint's answer to the device code grant. */
    private static final class DeviceToken implements Route {

        @Override
        public boolean match(OAuth2HttpRequest request) {
            return "POST".equals(request.getMethod()) && request.getUrl().encodedPath().endsWith("/token")
                    && request.getBody() != null && request.getBody().contains("device_code");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            Map<String, String> form = new java.util.HashMap<>();
            for (String pair : request.getBody().split("&")) {
                String[] kv = pair.split("=", 2);
                form.put(java.net.URLDecoder.decode(kv[0], java.nio.charset.StandardCharsets.UTF_8),
                        kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "");
            }
            Device device = DEVICES.get(form.get("device_code"));
            if (device == null) {
                return json(400, "{\"error\":\"expired_token\"}");
            }
            if (device.denied) {
                DEVICES.remove(form.get("device_code"));
                return json(400, "{\"error\":\"access_denied\"}");
            }
            if (device.approved == null) {
                return json(400, "{\"error\":\"authorization_pending\"}");
            }
            DEVICES.remove(form.get("device_code"));
            String client = form.getOrDefault("client_id", CLIENT_ID);
            String authorization = request.getHeaders().get("Authorization");
            if (authorization != null && authorization.startsWith("Basic ")) {
                client = java.net.URLDecoder.decode(new String(java.util.Base64.getDecoder().decode(
                        authorization.substring(6)), java.nio.charset.StandardCharsets.UTF_8).split(":", 2)[0],
                        java.nio.charset.StandardCharsets.UTF_8);
            }
            try {
                long now = System.currentTimeMillis();
                JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().issuer(issuer()).subject(device.subject)
                        .audience(client).issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000));
                device.approved.forEach(set::claim);
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID())
                        .type(JOSEObjectType.JWT).build(), set.build());
                jwt.sign(new RSASSASigner(signingKey));
                return json(200, "{\"access_token\":\"device-access\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":3600,\"id_token\":\"" + jwt.serialize() + "\"}");
            } catch (com.nimbusds.jose.JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Answers the refresh token grant for the refresh tokens a test armed. */
    private static final class Refresh implements Route {

        @Override
        public boolean match(OAuth2HttpRequest request) {
            return "POST".equals(request.getMethod()) && request.getUrl().encodedPath().endsWith("/token")
                    && request.getBody() != null && request.getBody().contains("grant_type=refresh_token");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            String refresh = null;
            for (String pair : request.getBody().split("&")) {
                if (pair.startsWith("refresh_token=")) {
                    refresh = java.net.URLDecoder.decode(pair.substring("refresh_token=".length()),
                            java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            java.util.function.Supplier<String> renewed = refresh == null ? null : REFRESHES.remove(refresh);
            String idToken = renewed == null ? null : renewed.get();
            if (idToken == null) {
                return json(400, "{\"error\":\"invalid_grant\"}");
            }
            REFRESHED.incrementAndGet();
            return json(200, "{\"access_token\":\"renewed-access\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                    + "\"id_token\":\"" + idToken + "\"}");
        }
    }

    /** Answers one token request with the forged ID token, when armed. */
    private static final class ForgedToken implements Route {

        @Override
        public boolean match(OAuth2HttpRequest request) {
            return FORGED.get() != null && "POST".equals(request.getMethod())
                    && request.getUrl().encodedPath().endsWith("/token");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            String token = FORGED.getAndSet(null);
            String refresh = FORGED_REFRESH.getAndSet(null);
            String body = "{\"access_token\":\"forged-access\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                    + (refresh == null ? "" : "\"refresh_token\":\"" + refresh + "\",")
                    + "\"id_token\":\"" + token + "\"}";
            return json(200, body);
        }
    }
}
