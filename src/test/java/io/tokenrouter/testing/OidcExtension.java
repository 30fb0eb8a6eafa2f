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
 */
public final class OidcExtension implements BeforeAllCallback {

    public static final String CLIENT_ID = "tokenrouter-it";
    private static MockOAuth2Server server;
    private static RSAKey signingKey;
    private static final AtomicReference<String> FORGED = new AtomicReference<>();

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
            MockOAuth2Server s = new MockOAuth2Server(config, new ForgedToken());
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

    /** A key of nobody's. */
    public static RSAKey foreignKey() throws Exception {
        return new RSAKeyGenerator(2048).generate();
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
            String body = "{\"access_token\":\"forged-access\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                    + "\"id_token\":\"" + token + "\"}";
            return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 200, body, null);
        }
    }
}
