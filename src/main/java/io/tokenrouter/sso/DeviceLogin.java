package io.tokenrouter.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCode;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Caller;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.KeyDraft;
import io.tokenrouter.access.KeyLookup;
import io.tokenrouter.access.KeySecrets;
import io.tokenrouter.access.KeyService;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.SsoSettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.PersonRepository;
import io.tokenrouter.store.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code toro login}: a person signs in on the command line through the organisation's identity provider with the
 * device authorization grant (RFC 8628). toro asks the gateway to {@linkplain #start start} one and shows the person
 * where to approve it; then it {@linkplain #poll polls} the gateway, which asks the provider. The device code
 * travels between toro and the gateway, so any node of a cluster answers a poll.
 * <p>
 * Once approved, the ID token is checked as at the console's sign-in (the provider's keys, issuer, audience,
 * lifetime), the person is admitted by their groups ({@link PersonDirectory}: no role, disabled, unknown team or
 * foreign domain are refused), and they get a keymaster key of their own beneath {@code sso.cli_parent_key}, whose
 * limits bound it, living {@code sso.cli_key_ttl}. Their previous such key is revoked, and disabling the person
 * revokes it too. Admins get a keymaster key as well: no long-lived admin key comes out of a terminal.
 */
@ApplicationScoped
public class DeviceLogin {

    @Inject
    GatewaySettings settings;
    @Inject
    SsoSignIn signIn;
    @Inject
    PersonDirectory directory;
    @Inject
    PersonRepository people;
    @Inject
    KeyService keyService;
    @Inject
    ApiKeyRepository keys;
    @Inject
    KeyLookup lookup;
    @Inject
    SessionService sessions;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;

    /** Refused polls (codes nobody was given) an address may make in a minute before it is refused outright. */
    static final int MAX_FAILED_POLLS = 10;
    /** The least time between two polls with one device code. */
    static final Duration MIN_POLL_GAP = Duration.ofMillis(500);
    private final com.github.benmanes.caffeine.cache.Cache<String, java.util.concurrent.atomic.AtomicInteger> failedPolls =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
                    .expireAfterWrite(Duration.ofMinutes(1)).build();
    private final com.github.benmanes.caffeine.cache.Cache<String, Long> lastPoll =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
                    .expireAfterWrite(Duration.ofMinutes(15)).build();

    /** A device sign-in started: the code toro polls with, the code the person types, and where. */
    public record Started(String deviceCode, String userCode, URI verificationUri, URI verificationUriComplete,
                          long expiresIn, long interval) {
    }

    /** A finished sign-in: the person, and their new key (its secret shown once). */
    public record Finished(String person, String role, CreatedKey key, String parent) {
    }

    /** Starts a device sign-in for toro, from {@code clientIp} (throttled like signing in). */
    public Started start(String clientIp) {
        SsoSettings sso = configured();
        sessions.throttle(clientIp);
        try {
            DeviceAuthorizationSuccessResponse started = signIn.provider().deviceAuthorization(sso.cliClientId(),
                    sso.cliClientSecret(), sso.cli().endpoint().orElse(null));
            return new Started(started.getDeviceCode().getValue(), started.getUserCode().getValue(),
                    started.getVerificationURI(), started.getVerificationURIComplete(), started.getLifetime(),
                    Math.max(5, started.getInterval()));
        } catch (SsoRefusal refusal) {
            throw refused(refusal);
        }
    }

    /**
     * Asks the provider whether the person approved: a 400 {@code authorization_pending} or {@code slow_down} while
     * they have not, {@code expired_token} or {@code access_denied} when they never will; else the key.
     */
    public Finished poll(String deviceCode, String clientIp) {
        SsoSettings sso = configured();
        if (deviceCode == null || deviceCode.isBlank() || deviceCode.length() > 2048) {
            throw GatewayException.invalidRequest("device_code", "device_code is missing or too long.");
        }
        String address = clientIp == null ? "(unknown)" : clientIp;
        java.util.concurrent.atomic.AtomicInteger failed = failedPolls.getIfPresent(address);
        if (failed != null && failed.get() >= MAX_FAILED_POLLS) {
            throw new GatewayException(429, "invalid_request_error", "too_many_sign_in_attempts", null,
                    "Too many refused toro login polls from this address; try again in a minute.",
                    Duration.ofMinutes(1), null);
        }
        long now = System.nanoTime();
        Long previous = lastPoll.asMap().put(KeySecrets.hash(deviceCode), now);
        if (previous != null && now - previous < MIN_POLL_GAP.toNanos()) {
            // RFC 8628: polling faster than asked is told to slow down, without asking the provider
            throw new GatewayException(400, "invalid_request_error", "slow_down", null, "Polling too fast.");
        }
        String who = null;
        try {
            OidcProvider provider = signIn.provider();
            TokenResponse response = provider.tokenResponse(new DeviceCodeGrant(new DeviceCode(deviceCode)),
                    sso.cliClientId(), sso.cliClientSecret());
            if (!response.indicatesSuccess()) {
                throw pending(response.toErrorResponse().getErrorObject());
            }
            if (!(response.toSuccessResponse() instanceof OIDCTokenResponse tokens)
                    || tokens.getOIDCTokens().getIDToken() == null) {
                throw new SsoRefusal("no_id_token", "The identity provider answered without an ID token; ask for the"
                        + " openid scope");
            }
            IDTokenClaimsSet claims;
            try {
                claims = provider.validator(sso.cliClientId()).validate(tokens.getOIDCTokens().getIDToken(), null);
            } catch (BadJOSEException | JOSEException e) {
                throw new SsoRefusal("invalid_token", "The ID token was refused: " + (e.getMessage() != null
                        ? e.getMessage() : e.getClass().getSimpleName()));
            }
            PersonDirectory.Claims person = signIn.claims(sso, claims, tokens.getOIDCTokens().getAccessToken());
            who = PersonDirectory.describe(person);
            PersonDirectory.Admitted admitted = directory.admit(sso, person, clientIp);
            return issue(sso, admitted, clientIp);
        } catch (SsoRefusal refusal) {
            String message = "Refused toro login from " + clientIp + ": " + refusal.getMessage();
            if (who != null) {
                audit.note("sign-in", "sign-in", true, who, clientIp, message);
            } else {
                // anyone can poll with a made-up code: a flood of them leaves one entry a minute per address, and
                // after MAX_FAILED_POLLS in a minute the address is refused without asking the provider
                audit.refusedSignIn(clientIp, message);
                if (!refusal.reason().equals("provider_unavailable") && !refusal.reason().equals("access_denied")) {
                    failedPolls.get(address, a -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                }
            }
            throw refused(refusal);
        }
    }

    /** The person's new key beneath the configured parent; their previous one is revoked. */
    private Finished issue(SsoSettings sso, PersonDirectory.Admitted admitted, String clientIp) {
        ApiKey parent = parent(sso.cli().parentKey().orElseThrow());
        Caller parentCaller;
        try {
            parentCaller = lookup.caller(parent);
        } catch (GatewayException unusable) {
            throw new SsoRefusal("cli_parent", "sso.cli_parent_key '" + parent.getName() + "' #" + parent.getId()
                    + " cannot be used: " + unusable.getMessage());
        }
        if (parentCaller.role() == Role.INFERRER) {
            throw new SsoRefusal("cli_parent", "sso.cli_parent_key '" + parent.getName() + "' #" + parent.getId()
                    + " is an inferrer key; it must be a keymaster or admin key");
        }
        Long personTeam = admitted.key().getTeamId();
        if (personTeam != null && !personTeam.equals(parentCaller.teamId())) {
            throw new SsoRefusal("cli_parent", admitted.person().displayName() + " is in team #" + personTeam
                    + ", but sso.cli_parent_key '" + parent.getName() + "' #" + parent.getId() + " is "
                    + (parentCaller.teamId() == null ? "in no team" : "in team #" + parentCaller.teamId())
                    + "; a key belongs to its parent's team, so toro login cannot give them one");
        }
        String name = admitted.person().displayName();
        String byWhom = name + " #" + admitted.person().id() + " (toro login)";
        return database.inTransaction(em -> {
            // under the person's row lock: two logins at once, or a login beside disabling, leave no stray key
            Long previous = directory.stillAdmitted(admitted.person().id()).cliKeyId();
            CreatedKey created = keyService.createOnBehalf(byWhom, parentCaller, new KeyDraft(
                    PersonDirectory.cut("toro: " + name, 200), "keymaster", null, parent.getId(), sso.cli().keyTtl(), null, null));
            people.setCliKey(admitted.person().id(), created.key().id());
            if (previous != null) {
                directory.revokeKey(previous, byWhom, "the previous toro login key");
            }
            audit.note("sign-in", "sign-in", false, byWhom, clientIp, "Signed in with toro login from " + clientIp
                    + " as " + admitted.key().getRole().wireName() + "; got keymaster key #" + created.key().id());
            return new Finished(name, admitted.key().getRole().wireName(), created,
                    "'" + parent.getName() + "' #" + parent.getId());
        });
    }

    /** The configured parent: a key name, or {@code #id}. */
    private ApiKey parent(String named) {
        String trimmed = named.strip();
        if (trimmed.startsWith("#")) {
            try {
                return keys.findTopLevel(Long.parseLong(trimmed.substring(1))).orElseThrow(() -> noParent(named));
            } catch (NumberFormatException e) {
                throw noParent(named);
            }
        }
        var found = keys.findTopLevelByName(trimmed);
        if (found.size() != 1) {
            throw found.isEmpty() ? noParent(named) : new SsoRefusal("cli_parent", "sso.cli_parent_key '" + named
                    + "' names " + found.size() + " keys; name it by id (#id)");
        }
        return found.get(0);
    }

    private static SsoRefusal noParent(String named) {
        return new SsoRefusal("cli_parent", "sso.cli_parent_key '" + named + "' names no top-level key that is not"
                + " revoked");
    }

    private SsoSettings configured() {
        SsoSettings sso = settings.sso().orElseThrow(() -> new GatewayException(404, "invalid_request_error",
                "sso_not_configured", null, "Single sign-on is not configured on this gateway; connect with a key"
                + " (toro connect)."));
        if (sso.cli().parentKey().isEmpty()) {
            throw new GatewayException(404, "invalid_request_error", "toro_login_off", null, "toro login is off on this"
                    + " gateway (sso.cli_parent_key is not set); connect with a key (toro connect).");
        }
        return sso;
    }

    /** The provider's "not yet" (or "never") as the gateway's answer to a poll. */
    private static RuntimeException pending(ErrorObject error) {
        String code = error.getCode() == null ? "" : error.getCode().toLowerCase(Locale.ROOT);
        if (code.equals(DeviceAuthorizationGrantError.AUTHORIZATION_PENDING.getCode())) {
            return new GatewayException(400, "invalid_request_error", "authorization_pending", null,
                    "Not approved yet.");
        }
        if (code.equals(DeviceAuthorizationGrantError.SLOW_DOWN.getCode())) {
            return new GatewayException(400, "invalid_request_error", "slow_down", null, "Polling too fast.");
        }
        if (code.equals(DeviceAuthorizationGrantError.EXPIRED_TOKEN.getCode())) {
            return new SsoRefusal("expired_token", "The code expired before it was approved; run toro login again");
        }
        if (code.equals("access_denied")) {
            return new SsoRefusal("access_denied", "The sign-in was declined at the identity provider");
        }
        return new SsoRefusal("token_refused", "The identity provider refused the sign-in: " + code
                + (error.getDescription() == null ? "" : " (" + error.getDescription() + ")"));
    }

    /** A refusal as the API answers it: 403, with the refusal's reason as the code. */
    private static GatewayException refused(SsoRefusal refusal) {
        int status = refusal.reason().equals("provider_unavailable") ? 503
                : refusal.reason().equals("no_device_grant") || refusal.reason().equals("cli_parent") ? 501 : 403;
        return new GatewayException(status, status == 403 ? "permission_error" : "api_error", refusal.reason(), null,
                refusal.getMessage() + ".");
    }
}
