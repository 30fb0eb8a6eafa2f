package io.tokenrouter.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.tokenrouter.config.SsoSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider as the gateway reads it, against a discovery document and key set served on loopback: a key
 * rotation is followed, unsigned and shared-secret tokens are refused, and a discovery that fails is said and
 * retried.
 */
class OidcProviderTest {

    private HttpServer server;
    private String issuer;
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private final AtomicInteger keyFetches = new AtomicInteger();
    private volatile boolean discoveryUp = true;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realm";
        server.createContext("/realm/.well-known/openid-configuration", exchange -> {
            byte[] body = ("{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/auth\","
                    + "\"token_endpoint\":\"" + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks\","
                    + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                    + "\"id_token_signing_alg_values_supported\":[\"RS256\",\"HS256\",\"none\"]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(discoveryUp ? 200 : 503, discoveryUp ? body.length : -1);
            if (discoveryUp) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.createContext("/realm/jwks", exchange -> {
            keyFetches.incrementAndGet();
            byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OidcProvider provider() {
        return new OidcProvider(new SsoSettings(URI.create(issuer), "gateway", Optional.of("s3cret-s3cret-s3cret-s3cret-s3cret!"),
                List.of("openid"), Optional.empty(), "groups", List.of("admins"), List.of(), Optional.empty(), List.of(),
                "SSO", true, Duration.ofSeconds(30), Duration.ofSeconds(5), new SsoSettings.Cli(Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofDays(30))), Clock.systemUTC());
    }

    private JWTClaimsSet claims() {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().issuer(issuer).subject("ada").audience("gateway").issueTime(new Date(now))
                .expirationTime(new Date(now + 600_000)).build();
    }

    private SignedJWT signed(RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims());
        jwt.sign(new RSASSASigner(key));
        return jwt;
    }

    @Test
    void followsAKeyRotation() throws Exception {
        RSAKey old = new RSAKeyGenerator(2048).keyID("2026-11").generate();
        RSAKey next = new RSAKeyGenerator(2048).keyID("2026-12").generate();
        published.set(new JWKSet(old.toPublicJWK()));
        OidcProvider provider = provider();
        assertThat(provider.validator("gateway").validate(signed(old), null).getSubject().getValue()).isEqualTo("ada");

        // the provider publishes its next key beside the old one, then signs with it
        published.set(new JWKSet(List.of(old.toPublicJWK(), next.toPublicJWK())));
        assertThat(provider.validator("gateway").validate(signed(next), null).getSubject().getValue()).isEqualTo("ada");
        assertThat(keyFetches.get()).as("a key id not seen before fetches the keys again").isEqualTo(2);
        assertThat(provider.validator("gateway").validate(signed(next), null).getSubject().getValue()).isEqualTo("ada");
        assertThat(keyFetches.get()).as("and a known one does not").isEqualTo(2);
    }

    @Test
    void refusesUnsignedAndSharedSecretTokensEvenWhenTheProviderOffersThem() throws Exception {
        published.set(new JWKSet(new RSAKeyGenerator(2048).keyID("k").generate().toPublicJWK()));
        OidcProvider provider = provider();
        assertThatThrownBy(() -> provider.validator("gateway").validate(new PlainJWT(new PlainHeader(), claims()), null))
                .isInstanceOf(BadJOSEException.class);
        SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims());
        hmac.sign(new MACSigner("s3cret-s3cret-s3cret-s3cret-s3cret!"));
        assertThatThrownBy(() -> provider.validator("gateway").validate(hmac, null)).isInstanceOf(BadJOSEException.class);
    }

    @Test
    void saysWhyDiscoveryFailedAndRefusesSignInsUntilItWorks() {
        discoveryUp = false;
        OidcProvider provider = provider();
        assertThatThrownBy(provider::metadata).isInstanceOfSatisfying(SsoRefusal.class,
                e -> assertThat(e.reason()).isEqualTo("provider_unavailable"));
        assertThat(provider.status().discovered()).isFalse();
        assertThat(provider.status().problem()).contains("Cannot read the discovery document of " + issuer);
    }
}
