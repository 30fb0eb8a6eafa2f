package io.tokenrouter.sso;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import io.tokenrouter.config.SsoSettings;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The organisation's OpenID Connect provider as this node knows it: its discovery document (read when first
 * needed, kept for an hour, and kept on when a refresh fails), its signing keys (cached, fetched again when a
 * token names a key not seen before, so a rotation is followed), and the calls to its token and user info
 * endpoints. ID tokens are accepted only signed with an asymmetric algorithm the provider publishes (never
 * {@code none}, never a shared-secret HMAC), from the configured issuer, for this client, within their lifetime.
 */
final class OidcProvider {

    private static final Logger LOG = Logger.getLogger(OidcProvider.class.getName());
    private static final Duration METADATA_TTL = Duration.ofHours(1);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);
    private static final Set<JWSAlgorithm> ASYMMETRIC = new LinkedHashSet<>(List.of(JWSAlgorithm.RS256,
            JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA));

    private final SsoSettings settings;
    private final Clock clock;
    private volatile Known known;
    private volatile Instant nextAttempt = Instant.EPOCH;
    private volatile String lastProblem;

    /** The discovery document and what was built from it: the signing keys, and the algorithms accepted. */
    private record Known(OIDCProviderMetadata metadata, JWKSource<SecurityContext> keys, Set<JWSAlgorithm> algorithms,
                         Instant readAt) {
    }

    OidcProvider(SsoSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    SsoSettings settings() {
        return settings;
    }

    /** The discovery document; a {@link SsoRefusal} ("provider_unavailable") when it cannot be read. */
    OIDCProviderMetadata metadata() {
        return current().metadata();
    }

    /** A validator of ID tokens issued to {@code clientId} (their audience). */
    IDTokenValidator validator(String clientId) {
        Known k = current();
        IDTokenValidator validator = new IDTokenValidator(k.metadata().getIssuer(), new ClientID(clientId),
                new JWSVerificationKeySelector<>(k.algorithms(), k.keys()), null);
        validator.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.clockSkew().toSeconds()));
        return validator;
    }

    /** What the Settings page shows: the endpoints discovered, or why discovery failed. */
    Status status() {
        Known k = known;
        if (k == null) {
            try {
                k = current();
            } catch (SsoRefusal e) {
                return new Status(false, null, null, null, null, lastProblem);
            }
        }
        OIDCProviderMetadata m = k.metadata();
        return new Status(true, m.getAuthorizationEndpointURI(), m.getTokenEndpointURI(), m.getJWKSetURI(),
                m.getEndSessionEndpointURI(), lastProblem);
    }

    /** The provider's endpoints as discovered, or the problem met reading them. */
    record Status(boolean discovered, URI authorization, URI token, URI jwks, URI endSession, String problem) {
    }

    private Known current() {
        Known k = known;
        Instant now = clock.instant();
        if (k != null && now.isBefore(k.readAt().plus(METADATA_TTL))) {
            return k;
        }
        synchronized (this) {
            k = known;
            if (k != null && now.isBefore(k.readAt().plus(METADATA_TTL))) {
                return k;
            }
            if (now.isBefore(nextAttempt)) {
                if (k != null) {
                    return k;
                }
                throw SsoRefusal.unavailable(lastProblem);
            }
            try {
                known = discover(now);
                lastProblem = null;
                return known;
            } catch (IOException | GeneralException | RuntimeException e) {
                nextAttempt = now.plus(RETRY_AFTER_FAILURE);
                lastProblem = "Cannot read the discovery document of " + settings.issuer() + ": " + e.getMessage();
                LOG.warning(lastProblem);
                if (k != null) {
                    // keep signing people in with what was known an hour ago rather than with nothing
                    known = new Known(k.metadata(), k.keys(), k.algorithms(),
                            now.minus(METADATA_TTL).plus(RETRY_AFTER_FAILURE));
                    return k;
                }
                throw SsoRefusal.unavailable(lastProblem);
            }
        }
    }

    private Known discover(Instant now) throws IOException, GeneralException {
        int timeout = millis(settings.httpTimeout());
        OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(settings.issuer().toString()),
                timeout, timeout);
        if (metadata.getJWKSetURI() == null) {
            throw new GeneralException("the discovery document names no jwks_uri");
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        List<JWSAlgorithm> published = metadata.getIDTokenJWSAlgs();
        for (JWSAlgorithm a : published == null ? List.of(JWSAlgorithm.RS256) : published) {
            if (ASYMMETRIC.contains(a)) {
                algorithms.add(a);
            }
        }
        if (algorithms.isEmpty()) {
            throw new GeneralException("the provider signs ID tokens only with " + published
                    + "; the gateway accepts RS, PS, ES and EdDSA signatures");
        }
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(metadata.getJWKSetURI().toURL(),
                            new DefaultResourceRetriever(timeout, timeout, 512 * 1024))
                    .retrying(true).build();
        } catch (MalformedURLException e) {
            throw new GeneralException("the jwks_uri is not a URL: " + e.getMessage());
        }
        return new Known(metadata, keys, Set.copyOf(algorithms), now);
    }

    /** Calls the token endpoint with {@code grant}, authenticated as the console's client; the provider's answer. */
    OIDCTokenResponse token(AuthorizationGrant grant) {
        TokenResponse response = tokenResponse(grant, settings.clientId(), settings.clientSecret());
        if (!response.indicatesSuccess()) {
            var error = response.toErrorResponse().getErrorObject();
            throw new SsoRefusal("token_refused", "The identity provider refused the sign-in: " + error.getCode()
                    + (error.getDescription() == null ? "" : " (" + error.getDescription() + ")"));
        }
        if (!(response.toSuccessResponse() instanceof OIDCTokenResponse oidc)
                || oidc.getOIDCTokens().getIDToken() == null) {
            throw new SsoRefusal("no_id_token", "The identity provider answered without an ID token.");
        }
        return oidc;
    }

    /**
     * The token endpoint's answer to {@code grant} from client {@code clientId} (with {@code secret}, else as a public
     * client), successful or not.
     */
    TokenResponse tokenResponse(AuthorizationGrant grant, String clientId, java.util.Optional<String> secret) {
        OIDCProviderMetadata m = metadata();
        TokenRequest request = secret.isPresent()
                ? new TokenRequest(m.getTokenEndpointURI(), authentication(m, clientId, secret), grant)
                : new TokenRequest(m.getTokenEndpointURI(), new ClientID(clientId), grant);
        try {
            return OIDCTokenResponseParser.parse(send(request.toHTTPRequest()));
        } catch (ParseException e) {
            throw new SsoRefusal("provider_error", "The identity provider's token answer could not be read: "
                    + e.getMessage());
        }
    }

    /**
     * Starts a device authorization (RFC 8628) for client {@code clientId}: the provider's device and user codes and
     * where the person approves.
     */
    DeviceAuthorizationSuccessResponse deviceAuthorization(String clientId, java.util.Optional<String> secret,
                                                           URI override) {
        OIDCProviderMetadata m = metadata();
        URI endpoint = override != null ? override : m.getDeviceAuthorizationEndpointURI();
        if (endpoint == null) {
            throw new SsoRefusal("no_device_grant", "The identity provider publishes no device authorization endpoint;"
                    + " set sso.device_authorization_endpoint if it has one");
        }
        Scope scope = new Scope(settings.scopes().toArray(String[]::new));
        DeviceAuthorizationRequest request = secret.isPresent()
                ? new DeviceAuthorizationRequest(endpoint, authentication(m, clientId, secret), scope, java.util.Map.of())
                : new DeviceAuthorizationRequest(endpoint, new ClientID(clientId), scope);
        try {
            DeviceAuthorizationResponse response = DeviceAuthorizationResponse.parse(send(request.toHTTPRequest()));
            if (!response.indicatesSuccess()) {
                var error = response.toErrorResponse().getErrorObject();
                throw new SsoRefusal("token_refused", "The identity provider refused the device sign-in: "
                        + error.getCode() + (error.getDescription() == null ? "" : " (" + error.getDescription() + ")"));
            }
            return response.toSuccessResponse();
        } catch (ParseException e) {
            throw new SsoRefusal("provider_error", "The identity provider's device answer could not be read: "
                    + e.getMessage());
        }
    }

    /** How client {@code clientId} authenticates with {@code secret}: HTTP Basic, unless the provider takes only POST. */
    private static com.nimbusds.oauth2.sdk.auth.ClientAuthentication authentication(OIDCProviderMetadata m,
                                                                                    String clientId,
                                                                                    java.util.Optional<String> secret) {
        if (secret.isEmpty()) {
            return null;
        }
        ClientID client = new ClientID(clientId);
        Secret s = new Secret(secret.get());
        List<ClientAuthenticationMethod> methods = m.getTokenEndpointAuthMethods();
        boolean postOnly = methods != null && !methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                && methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST);
        return postOnly ? new ClientSecretPost(client, s) : new ClientSecretBasic(client, s);
    }

    /** The user info endpoint's claims for {@code accessToken}, or null when the provider has none. */
    UserInfo userInfo(BearerAccessToken accessToken) {
        URI endpoint = metadata().getUserInfoEndpointURI();
        if (endpoint == null) {
            return null;
        }
        try {
            UserInfoResponse response = UserInfoResponse.parse(send(new UserInfoRequest(endpoint, accessToken)
                    .toHTTPRequest()));
            if (!response.indicatesSuccess()) {
                throw new SsoRefusal("provider_error", "The identity provider's user info endpoint answered "
                        + response.toErrorResponse().getErrorObject().getHTTPStatusCode());
            }
            return response.toSuccessResponse().getUserInfo();
        } catch (ParseException e) {
            throw new SsoRefusal("provider_error", "The identity provider's user info could not be read: "
                    + e.getMessage());
        }
    }

    private HTTPResponse send(HTTPRequest request) {
        int timeout = millis(settings.httpTimeout());
        request.setConnectTimeout(timeout);
        request.setReadTimeout(timeout);
        try {
            return request.send();
        } catch (IOException e) {
            throw SsoRefusal.unavailable("The identity provider did not answer at " + request.getURI() + ": "
                    + e.getMessage());
        }
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }
}
