package io.tokenrouter.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.KeySecrets;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.SsoSettings;
import io.tokenrouter.store.PersonRepository;
import io.tokenrouter.store.SecretCipher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signing in to the console through the organisation's identity provider: the OpenID Connect authorization
 * code flow with PKCE (S256), {@code state} and {@code nonce}.
 * <ol>
 * <li>{@link #start} keeps the sign-in in the database (its state hashed, bound to the browser by a cookie's
 * hash) and sends the browser to the provider;</li>
 * <li>{@link #finish}, on whichever node the provider sends it back to, takes the sign-in exactly once, checks
 * the browser, exchanges the code with the verifier, checks the ID token (signature by the provider's published
 * keys, issuer, audience, expiry, nonce), admits the person by their groups ({@link PersonDirectory}) and opens a
 * session that ends no later than the ID token.</li>
 * </ol>
 * Every refusal is in the audit trail with the address it came from, and signs nobody in.
 */
@ApplicationScoped
public class SsoSignIn {

    /** How long a started sign-in may take at the provider. */
    static final Duration PENDING = Duration.ofMinutes(10);
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(SsoSignIn.class.getName());

    @Inject
    GatewaySettings settings;
    @Inject
    PersonRepository people;
    @Inject
    PersonDirectory directory;
    @Inject
    SessionService sessions;
    @Inject
    AuditTrail audit;
    @Inject
    io.tokenrouter.store.SessionRepository sessionRows;
    @Inject
    io.tokenrouter.store.Database database;

    /** What time it is (tests move it). */
    Clock clock = Clock.systemUTC();
    private volatile OidcProvider provider;
    /** The renewals running on this node, by session hash. */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<Boolean>> renewing =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile SecretCipher cipher;

    /** Whether single sign-on is configured. */
    public boolean enabled() {
        return settings.sso().isPresent();
    }

    /** The button's words: "Sign in with …". */
    public String label() {
        return settings.sso().map(SsoSettings::label).orElse("single sign-on");
    }

    /** A sign-in started: where to send the browser, and the sealed cookie that carries the sign-in until it is back. */
    public record Started(URI authorize, String cookie) {
    }

    /**
     * Starts a sign-in that comes back to {@code redirectUri}. Nothing is stored: its state, nonce and PKCE verifier
     * travel sealed (AES-GCM with the gateway's secret key, so only a node of this gateway reads them and nobody can
     * alter them) in a cookie of the browser that started it, so no flood of starts can fill anything.
     */
    public Started start(URI redirectUri) {
        OidcProvider p = provider();
        URI endpoint = p.metadata().getAuthorizationEndpointURI();
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        String pending = String.join("\n", "sso1", state.getValue(), nonce.getValue(), verifier.getValue(),
                redirectUri.toString(), Long.toString(clock.instant().plus(PENDING).toEpochMilli()));
        URI authorize = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope(p.settings().scopes().toArray(String[]::new)), new ClientID(p.settings().clientId()), redirectUri)
                .endpointURI(endpoint).state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
        // URL-safe Base64 without padding: some containers (Undertow) cut a cookie value at its first '='
        return new Started(authorize, java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                cipher().seal(pending).getBytes(StandardCharsets.US_ASCII)));
    }

    /** A sign-in on its way, as its cookie carries it. */
    private record Pending(String state, String nonce, String verifier, URI redirectUri, Instant expiresAt) {
    }

    /** The sign-in the cookie carries; an {@code invalid_state} refusal when there is none or it was altered. */
    private Pending pending(String cookie) {
        if (cookie == null || cookie.isBlank() || cookie.length() > 2048) {
            throw new SsoRefusal("invalid_state", "The sign-in was started in another browser, or its cookie is gone");
        }
        String[] fields;
        try {
            fields = cipher().open(new String(java.util.Base64.getUrlDecoder().decode(cookie),
                    StandardCharsets.US_ASCII)).split("\n", -1);
        } catch (RuntimeException e) {
            throw new SsoRefusal("invalid_state", "The sign-in's cookie was not sealed by this gateway");
        }
        if (fields.length != 6 || !fields[0].equals("sso1")) {
            throw new SsoRefusal("invalid_state", "The sign-in's cookie is not one of a sign-in");
        }
        return new Pending(fields[1], fields[2], fields[3], URI.create(fields[4]),
                Instant.ofEpochMilli(Long.parseLong(fields[5])));
    }

    /**
     * Finishes a sign-in from the provider's answer ({@code state} with {@code code}, or {@code error}) in the browser
     * that started it ({@code cookie}: the sealed sign-in {@link #start} gave it), from {@code clientIp}: the session
     * opened, or an {@link SsoRefusal}. A state is taken once, on whichever node.
     */
    public SessionService.Opened finish(String state, String code, String error, String errorDescription,
                                        String cookie, String clientIp) {
        String who = null;
        try {
            OidcProvider p = provider();
            Pending login = pending(cookie);
            if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                    login.state().getBytes(StandardCharsets.UTF_8))) {
                throw new SsoRefusal("invalid_state", "The answer's state is not the one this browser's sign-in sent");
            }
            if (!clock.instant().isBefore(login.expiresAt())) {
                throw new SsoRefusal("expired", "The sign-in took longer than " + PENDING.toMinutes() + " minutes");
            }
            if (!people.takeState(KeySecrets.hash(state), login.expiresAt())) {
                throw new SsoRefusal("invalid_state", "This sign-in was finished already (a replayed answer)");
            }
            if (error != null) {
                throw new SsoRefusal("provider_error", "The identity provider answered " + cut(error, 100)
                        + (errorDescription == null ? "" : " (" + cut(errorDescription, 300) + ")"));
            }
            if (code == null || code.isBlank() || code.length() > 4096) {
                throw new SsoRefusal("invalid_state", "The identity provider's answer carries no code");
            }
            OIDCTokenResponse tokens = p.token(new AuthorizationCodeGrant(new AuthorizationCode(code),
                    login.redirectUri(), new CodeVerifier(login.verifier())));
            JWT idToken = tokens.getOIDCTokens().getIDToken();
            IDTokenClaimsSet claims;
            try {
                claims = p.validator(p.settings().clientId()).validate(idToken, new Nonce(login.nonce()));
            } catch (BadJOSEException | JOSEException e) {
                throw new SsoRefusal("invalid_token", "The ID token was refused: " + (e.getMessage() != null
                        ? e.getMessage() : e.getClass().getSimpleName()));
            }
            PersonDirectory.Claims person = claims(p.settings(), claims, tokens.getOIDCTokens().getAccessToken());
            who = PersonDirectory.describe(person);
            PersonDirectory.Admitted admitted = directory.admit(p.settings(), person, clientIp);
            var refresh = tokens.getOIDCTokens().getRefreshToken();
            Instant expires = claims.getExpirationTime().toInstant();
            // opened under the person's row lock: a person disabled meanwhile gets no session, and one disabled
            // right after has it ended
            return database.inTransaction(em -> {
                directory.stillAdmitted(admitted.person().id());
                return sessions.openForPerson(admitted.key(), admitted.person().id(), clientIp, expires,
                        cipher().seal(idToken.getParsedString()), refresh == null ? null : cipher().seal(refresh.getValue()));
            });
        } catch (SsoRefusal refusal) {
            String message = "Refused single sign-on from " + clientIp + ": " + refusal.getMessage();
            LOG.info(message);
            if (who != null) {
                // the provider vouched for someone: each such refusal is worth an entry, and needs a real account
                audit.note("sign-in", "sign-in", true, who, clientIp, message);
            } else {
                // anyone can send a made-up callback: a flood of them leaves one entry a minute per address
                audit.refusedSignIn(clientIp, message);
            }
            throw refusal;
        } catch (GatewayException refused) {
            audit.note("sign-in", "sign-in", true, who, clientIp, "Refused single sign-on from " + clientIp + ": "
                    + refused.getMessage());
            throw new SsoRefusal("refused", refused.getMessage());
        }
    }

    /**
     * Renews a single sign-on session whose ID token has expired, with the refresh token the provider gave: a new
     * ID token (checked as at sign-in, of the same person), the person admitted again by their groups as they are
     * now (a role lost ends the session), and the session extended to the new token's expiry, never past
     * {@code session_ttl} from the sign-in. False when the session cannot be renewed (no refresh token, refused by
     * the provider, past {@code session_ttl}): it has ended. No lock is held while the provider is asked: of two
     * requests (or nodes) renewing at once, the one whose update still finds the refresh token it used wins, and the
     * other goes on with the session as renewed.
     */
    public boolean renew(String sessionToken, String clientIp) {
        if (!enabled() || sessionToken == null) {
            return false;
        }
        String hash = KeySecrets.hash(sessionToken);
        // one renewal at a time per session on this node: the console's parallel requests share its outcome
        java.util.concurrent.CompletableFuture<Boolean> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Boolean> running = renewing.putIfAbsent(hash, mine);
        if (running != null) {
            try {
                return running.get(2 * settings.sso().get().httpTimeout().toMillis() + 1000,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return false;
            }
        }
        boolean renewed = false;
        try {
            renewed = renewOnce(hash, sessionToken, clientIp);
            return renewed;
        } finally {
            renewing.remove(hash, mine);
            mine.complete(renewed);
        }
    }

    private boolean renewOnce(String hash, String sessionToken, String clientIp) {
        try {
            var session = sessionRows.renewable(hash).orElse(null);
            Instant now = clock.instant();
            if (session == null || session.revokedAt() != null || session.refreshSealed() == null) {
                return false;
            }
            if (now.isBefore(session.expiresAt())) {
                return true;
            }
            Instant end = session.createdAt().plus(settings.sessionTtl());
            if (!now.isBefore(end)) {
                return false;
            }
            OidcProvider p = provider();
            SsoSettings s = p.settings();
            var response = p.tokenResponse(new com.nimbusds.oauth2.sdk.RefreshTokenGrant(
                    new com.nimbusds.oauth2.sdk.token.RefreshToken(cipher().open(session.refreshSealed()))),
                    s.clientId(), s.clientSecret());
            if (!response.indicatesSuccess() || !(response.toSuccessResponse() instanceof OIDCTokenResponse tokens)
                    || tokens.getOIDCTokens().getIDToken() == null) {
                // a provider that rotates refresh tokens refuses the one a renewal elsewhere (another node) just
                // used: that renewal may still be on its way to its commit
                if (renewedElsewhere(hash, session.refreshSealed(), now)) {
                    return true;
                }
                LOG.info("Single sign-on session of person #" + session.personId() + " not renewed: the provider"
                        + " gave no new ID token" + (response.indicatesSuccess() ? ""
                        : " (" + response.toErrorResponse().getErrorObject().getCode() + ")"));
                return false;
            }
            IDTokenClaimsSet claims;
            try {
                claims = p.validator(s.clientId()).validate(tokens.getOIDCTokens().getIDToken(), null);
            } catch (BadJOSEException | JOSEException e) {
                throw new SsoRefusal("invalid_token", "The renewed ID token was refused: " + e.getMessage());
            }
            var person = people.find(session.personId()).orElse(null);
            if (person == null || !person.subject().equals(claims.getSubject().getValue())) {
                throw new SsoRefusal("invalid_token", "The renewed ID token is of another person");
            }
            PersonDirectory.Claims renewedClaims = claims(s, claims, tokens.getOIDCTokens().getAccessToken());
            if (renewedClaims.groups() == null) {
                // the renewed token says nothing of the groups: the session ends, the person keeps what they have
                LOG.info("Single sign-on session of person #" + session.personId() + " not renewed: the renewed ID"
                        + " token and user info carry no " + s.groupsClaim() + " claim");
                return false;
            }
            directory.admit(s, renewedClaims, clientIp);
            Instant expires = claims.getExpirationTime().toInstant();
            var refresh = tokens.getOIDCTokens().getRefreshToken();
            return sessionRows.renew(hash, session.refreshSealed(), expires.isBefore(end) ? expires : end,
                    cipher().seal(tokens.getOIDCTokens().getIDToken().getParsedString()),
                    refresh != null ? cipher().seal(refresh.getValue()) : session.refreshSealed())
                    || renewedMeanwhile(hash, now);
        } catch (SsoRefusal refusal) {
            audit.note("sign-in", "sign-in", true, null, clientIp, "Ended a single sign-on session at its renewal: "
                    + refusal.getMessage());
            return false;
        } finally {
            sessions.forgetCached(sessionToken);
        }
    }

    /**
     * Whether another node renewed the session with the refresh token this one used (it then holds another), waiting a
     * little for that renewal to commit.
     */
    private boolean renewedElsewhere(String hash, String usedRefresh, Instant now) {
        for (int i = 0; i < 10; i++) {
            var row = sessionRows.renewable(hash).orElse(null);
            if (row == null || row.revokedAt() != null) {
                return false;
            }
            if (now.isBefore(row.expiresAt()) || !usedRefresh.equals(row.refreshSealed())) {
                return true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Whether another request (or node) renewed the session while this one asked the provider. */
    private boolean renewedMeanwhile(String hash, Instant now) {
        return sessionRows.renewable(hash).map(r -> r.revokedAt() == null && now.isBefore(r.expiresAt())).orElse(false);
    }

    /**
     * Where to send the browser to sign out at the provider too, when it offers RP-initiated logout and the session
     * was opened by single sign-on; it comes back to {@code afterwards}.
     */
    public Optional<URI> endSession(String sessionToken, URI afterwards) {
        if (!enabled() || !settings.sso().get().logoutAtProvider() || sessionToken == null) {
            return Optional.empty();
        }
        Optional<String> sealed = sessions.idToken(sessionToken);
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI endpoint = provider().metadata().getEndSessionEndpointURI();
            if (endpoint == null) {
                return Optional.empty();
            }
            return Optional.of(new LogoutRequest(endpoint, JWTParser.parse(cipher().open(sealed.get())), afterwards,
                    new State()).toURI());
        } catch (java.text.ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** What the Settings page shows of the provider: configured values, never the secret, and discovery's outcome. */
    public Optional<Map<String, String>> describe() {
        if (!enabled()) {
            return Optional.empty();
        }
        SsoSettings s = settings.sso().get();
        OidcProvider.Status status = provider().status();
        Map<String, String> shown = new java.util.LinkedHashMap<>();
        shown.put("Issuer", s.issuer().toString());
        shown.put("Client id", s.clientId());
        shown.put("Client secret", s.clientSecret().isPresent() ? "set (not shown)" : "none: a public client (PKCE)");
        shown.put("Scopes", String.join(" ", s.scopes()));
        shown.put("Redirect address", s.publicUrl().map(u -> u + "/admin/sso/callback")
                .orElse("taken from each request (set sso.public_url behind a proxy)"));
        shown.put("Groups claim", s.groupsClaim());
        shown.put("Admin groups", s.adminGroups().isEmpty() ? "none" : String.join(", ", s.adminGroups()));
        shown.put("Keymaster groups", s.keymasterGroups().isEmpty() ? "none" : String.join(", ", s.keymasterGroups()));
        shown.put("Team claim", s.teamClaim().orElse("none"));
        shown.put("Allowed email domains", s.emailDomains().isEmpty() ? "any" : String.join(", ", s.emailDomains()));
        shown.put("Sign out at the provider", s.logoutAtProvider() ? "yes, when it offers it" : "no");
        shown.put("Discovery", status.discovered() ? "ok" : "failed: " + status.problem());
        if (status.discovered()) {
            shown.put("Authorization endpoint", String.valueOf(status.authorization()));
            shown.put("Token endpoint", String.valueOf(status.token()));
            shown.put("Signing keys", String.valueOf(status.jwks()));
            shown.put("End-session endpoint", status.endSession() == null ? "none (sign-out stays local)"
                    : status.endSession().toString());
        }
        return Optional.of(shown);
    }

    /**
     * What the ID token (or, for the groups, the user info endpoint, asked with {@code accessToken}) says of the
     * person.
     */
    PersonDirectory.Claims claims(SsoSettings s, IDTokenClaimsSet id, com.nimbusds.oauth2.sdk.token.AccessToken accessToken) {
        Object groups = id.getClaim(s.groupsClaim());
        Object email = id.getClaim("email");
        Object verified = id.getClaim("email_verified");
        Object name = id.getClaim("name");
        Object team = s.teamClaim().map(id::getClaim).orElse(null);
        if (groups == null || (email == null && !s.emailDomains().isEmpty())) {
            // many providers leave groups (and sometimes the email) out of the ID token: ask the user info endpoint
            UserInfo info = accessToken instanceof BearerAccessToken bearer ? provider().userInfo(bearer) : null;
            if (info != null) {
                if (!id.getSubject().equals(info.getSubject())) {
                    throw new SsoRefusal("invalid_token", "The user info is of another subject than the ID token");
                }
                groups = groups != null ? groups : info.getClaim(s.groupsClaim());
                email = email != null ? email : info.getClaim("email");
                verified = verified != null ? verified : info.getClaim("email_verified");
                name = name != null ? name : info.getClaim("name");
                team = team != null ? team : s.teamClaim().map(info::getClaim).orElse(null);
            }
        }
        Boolean emailVerified = verified instanceof Boolean b ? b : verified instanceof String t ? Boolean.valueOf(t) : null;
        // an address the provider says it has not verified names nobody (the person is named by name or subject)
        return new PersonDirectory.Claims(id.getIssuer().getValue(), id.getSubject().getValue(),
                Boolean.FALSE.equals(emailVerified) ? null : text(email), emailVerified, text(name), list(groups),
                text(team));
    }

    private static String text(Object value) {
        return value == null ? null : cut(value.toString(), 1000).strip();
    }

    /** A claim's groups: a JSON array of names, or a single name; at most 500; null when there is no such claim. */
    private static List<String> list(Object value) {
        if (value == null) {
            return null;
        }
        List<String> groups = new ArrayList<>();
        if (value instanceof Iterable<?> items) {
            for (Object item : items) {
                if (item != null && groups.size() < 500) {
                    groups.add(cut(item.toString(), 500));
                }
            }
        } else if (value != null) {
            groups.add(cut(value.toString(), 500));
        }
        return groups;
    }

    OidcProvider provider() {
        OidcProvider p = provider;
        if (p == null) {
            synchronized (this) {
                if (provider == null) {
                    provider = new OidcProvider(settings.sso().orElseThrow(() -> new SsoRefusal("not_configured",
                            "Single sign-on is not configured")), clock);
                }
                p = provider;
            }
        }
        return p;
    }

    SecretCipher cipher() {
        SecretCipher c = cipher;
        if (c == null) {
            c = SecretCipher.from(settings);
            cipher = c;
        }
        return c;
    }

    /** {@code text} (from the provider, or a client) cut to {@code max} characters, control characters made spaces. */
    private static String cut(String text, int max) {
        String flat = text.replaceAll("\\p{Cntrl}", " ");
        return flat.length() <= max ? flat : flat.substring(0, max);
    }
}
