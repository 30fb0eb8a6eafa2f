package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Texts;
import io.tokenrouter.config.DaemonThreads;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Bearer tokens for providers whose credential is an OAuth client's service key ({@link AuthStyle#SERVICE_KEY}, as
 * SAP AI Core hands them out): the key's {@code clientid} and {@code clientsecret} are exchanged at its token server
 * ({@code url} + {@code /oauth/token}) by the client-credentials grant. A token is kept until a minute before it
 * expires (or until the provider refuses it), so one exchange serves every request of that time; requests that
 * find none wait together for one exchange, and a failed exchange answers the requests of the next 10 seconds.
 * Tokens are this node's own: every node exchanges the shared key itself.
 */
@ApplicationScoped
public class ServiceKeyTokens {

    /** How long an exchange may take, and the longest a token is kept whatever its server says. */
    static final Duration EXCHANGE_DEADLINE = Duration.ofSeconds(20);
    static final Duration LONGEST_KEPT = Duration.ofHours(12);
    static final Duration MARGIN = Duration.ofMinutes(1);
    /** The most service keys held at once (a key is the provider's, so a few per provider). */
    static final int MAX_KEYS = 1_000;
    /** How long a failed exchange is the answer before the key is tried again (a token server is not hammered). */
    static final Duration FAILURE_KEPT = Duration.ofSeconds(10);

    /** What a service key holds, as SAP BTP gives it: a client, its secret, its token server, a resource group. */
    public record ServiceKey(String clientId, String clientSecret, URI tokenUrl, String resourceGroup) {

        /**
         * The service key in a provider's credential: a JSON object with {@code clientid}, {@code clientsecret} and
         * {@code url}, optionally {@code resource_group} (else {@code default}); the message says what is missing.
         */
        public static ServiceKey parse(String credential) {
            JsonNode key = credential == null ? null : Json.parseOrNull(credential.getBytes(StandardCharsets.UTF_8));
            if (key == null || !key.isObject()) {
                throw new IllegalArgumentException("the API key must be the service key, a JSON object with clientid,"
                        + " clientsecret and url");
            }
            String id = text(key, "clientid");
            String secret = text(key, "clientsecret");
            String url = text(key, "url");
            if (id == null || secret == null || url == null) {
                throw new IllegalArgumentException("the service key has no " + (id == null ? "clientid"
                        : secret == null ? "clientsecret" : "url"));
            }
            URI server;
            try {
                server = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the service key's url is not a URL");
            }
            if (!("https".equals(server.getScheme()) || "http".equals(server.getScheme())) || server.getHost() == null) {
                throw new IllegalArgumentException("the service key's url must be an http(s) URL with a host");
            }
            String group = text(key, "resource_group");
            return new ServiceKey(id, secret, URI.create(server + "/oauth/token"), group == null ? "default" : group);
        }

        private static String text(JsonNode key, String field) {
            JsonNode value = key.get(field);
            return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText().strip() : null;
        }

        @Override
        public String toString() {
            return "ServiceKey[" + clientId + " at " + tokenUrl + "]";
        }
    }

    /** A token exchanged for a service key: the token, and the headers that carry it with the key's resource group. */
    public record Bearer(String token, Map<String, String> headers) {
        @Override
        public String toString() {
            return "Bearer[" + headers.size() + " headers]";
        }
    }

    private record Token(Bearer bearer, long expiresAtNanos) {
    }

    private final Map<String, CompletableFuture<Token>> tokens = new ConcurrentHashMap<>();
    private final ExecutorService exchanges = Executors.newFixedThreadPool(2, DaemonThreads.named("token-exchange"));
    private final OutboundHttp http;
    private final LongSupplier nanoTime;

    @Inject
    public ServiceKeyTokens(OutboundHttp http) {
        this(http, System::nanoTime);
    }

    ServiceKeyTokens(OutboundHttp http, LongSupplier nanoTime) {
        this.http = http;
        this.nanoTime = nanoTime;
    }

    /** For CDI's proxy only. */
    protected ServiceKeyTokens() {
        this.http = null;
        this.nanoTime = System::nanoTime;
    }

    /**
     * The bearer token of this service key: at once when a token is held (the key is read only to exchange it),
     * else when the exchange ends. Fails with an {@link IOException} saying why the key was not exchanged (never
     * quoting the secret), or an {@link IllegalArgumentException} for a key that is not a service key.
     */
    public CompletableFuture<Bearer> bearer(String credential) {
        return token(credential).thenApply(Token::bearer);
    }

    /** The headers of {@link #bearer}, for a caller off the request path, which may wait: at most the exchange's deadline. */
    public Map<String, String> headersNow(String credential) throws IOException {
        try {
            return bearer(credential).get(EXCHANGE_DEADLINE.toMillis() + 1_000, TimeUnit.MILLISECONDS).headers();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new java.net.http.HttpTimeoutException("the service key's token server did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /**
     * Forgets the token of this key (its provider refused it), so the next request exchanges the key again; an
     * exchange under way is kept (it gives a new token).
     */
    public void refused(String credential) {
        tokens.computeIfPresent(credential, (k, held) -> held.isDone() ? null : held);
    }

    private CompletableFuture<Token> token(String credential) {
        CompletableFuture<Token> held = tokens.get(credential);
        if (serves(held)) {
            return held;
        }
        ServiceKey key;
        try {
            key = ServiceKey.parse(credential);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (tokens.size() >= MAX_KEYS) {
            tokens.clear();
        }
        CompletableFuture<Token> fresh = new CompletableFuture<>();
        CompletableFuture<Token> current = tokens.compute(credential, (k, raced) -> serves(raced) ? raced : fresh);
        if (current == fresh) {
            try {
                exchanges.execute(() -> {
                    try {
                        fresh.complete(exchange(key));
                    } catch (Throwable e) {
                        failed(credential, fresh, e);
                    }
                });
            } catch (RuntimeException e) { // shut down, or no thread to run it
                failed(credential, fresh, new IOException("the service key could not be exchanged now"));
            }
        }
        return current;
    }

    /** A failed exchange answers the requests of the next {@link #FAILURE_KEPT} at once; then the key is tried again. */
    private void failed(String credential, CompletableFuture<Token> exchange, Throwable error) {
        exchange.completeExceptionally(error);
        CompletableFuture.delayedExecutor(FAILURE_KEPT.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> tokens.remove(credential, exchange));
    }

    /**
     * Whether an exchange answers requests: while under way, while its token is fresh, and while it failed (until it
     * is removed).
     */
    private boolean serves(CompletableFuture<Token> exchange) {
        if (exchange == null) {
            return false;
        }
        if (!exchange.isDone() || exchange.isCompletedExceptionally()) {
            return true;
        }
        try {
            return exchange.join().expiresAtNanos() - nanoTime.getAsLong() > 0;
        } catch (CompletionException e) {
            return false;
        }
    }

    private Token exchange(ServiceKey key) throws IOException {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(key.clientId(), StandardCharsets.UTF_8);
        // as SAP's own SDKs send it: the id and secret as they are (XSUAA ids hold '!' and '|')
        String basic = Base64.getEncoder().encodeToString((key.clientId() + ":" + key.clientSecret())
                .getBytes(StandardCharsets.UTF_8));
        OutboundHttp.Answer answer = http.postForm(key.tokenUrl(), Map.of("Authorization", "Basic " + basic,
                "Accept", "application/json"), form, EXCHANGE_DEADLINE);
        JsonNode body = Json.parseOrNull(answer.body());
        if (!answer.ok()) {
            String reason = body == null ? null : body.path("error_description").asText(body.path("error").asText(""));
            throw new IOException("the token server at " + key.tokenUrl().getHost() + " refused the service key: HTTP "
                    + answer.status() + (reason == null || reason.isBlank() ? "" : " "
                    + Texts.abbreviate(CredentialScrubber.of(java.util.List.of(key.clientSecret())).scrub(reason), 200)));
        }
        String token = body == null ? null : body.path("access_token").asText(null);
        if (token == null || token.isBlank()) {
            throw new IOException("the token server at " + key.tokenUrl().getHost() + " answered without an access_token");
        }
        long seconds = body.path("expires_in").canConvertToLong() ? body.path("expires_in").asLong() : 3_600;
        Duration life = Duration.ofSeconds(Math.max(0, Math.min(seconds, LONGEST_KEPT.toSeconds()))).minus(MARGIN);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + token.strip());
        headers.put("AI-Resource-Group", key.resourceGroup());
        return new Token(new Bearer(token.strip(), java.util.Collections.unmodifiableMap(headers)),
                nanoTime.getAsLong() + Math.max(0, life.toNanos()));
    }

    @PreDestroy
    void close() {
        exchanges.shutdownNow();
    }
}
