package io.tokenrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Texts;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.routing.ModelNames;
import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.ProviderModel;
import io.tokenrouter.store.ProviderRepository;
import io.tokenrouter.upstream.CredentialScrubber;
import io.tokenrouter.upstream.OutboundHttp;
import io.tokenrouter.upstream.ServiceKeyTokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection test and model discovery of providers. Discovery results are stored in the database,
 * so {@code /v1/models} is served from the route table and never calls an upstream; a background task
 * refreshes providers whose list is older than {@code model_refresh_interval} (the timestamp is shared,
 * so a cluster does the work about once per interval, not once per node).
 */
@ApplicationScoped
public class ProviderProbeService {

    private static final Logger LOG = Logger.getLogger(ProviderProbeService.class.getName());
    /** How long a model list may take to arrive, beyond connecting. */
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

    @Inject
    GatewaySettings settings;
    @Inject
    ProviderRepository providers;
    @Inject
    Routes routes;
    @Inject
    OutboundHttp http;
    @Inject
    ServiceKeyTokens serviceKeyTokens;
    @Inject
    Scheduler scheduler;
    @Inject
    io.tokenrouter.events.EventLog events;
    @Inject
    io.tokenrouter.access.AuditTrail audit;

    public void start() {
        scheduler.outbound("model refresh", this::refreshStale);
        scheduler.everyOutbound(Duration.ofMinutes(1), "model refresh", this::refreshStale);
    }

    /** Discovers a provider's models soon, off the caller's thread (after it was created or its URL or key changed). */
    public void refreshSoon(String name) {
        scheduler.outbound("model refresh of " + name, () -> {
            try {
                refresh(name);
            } catch (GatewayException e) {
                LOG.log(Level.INFO, "Model discovery of provider ''{0}'' failed: {1}", new Object[] {name, e.getMessage()});
            }
        });
    }

    /** Calls the provider's model list with its credential and reports what happened (admins only). */
    public ConnectionTestResult test(Caller actor, String name) {
        Authorization.requireAdmin(actor);
        ProviderTarget target = target(name);
        long start = System.nanoTime();
        try {
            if (!providers.find(name).map(ProviderProbeService::listsModels).orElse(true)) {
                boolean exchanged = target.authStyle().exchanged();
                if (exchanged) {
                    serviceKeyTokens.headersNow(target.credential());
                }
                return new ConnectionTestResult(true, 200, (System.nanoTime() - start) / 1_000_000, 0,
                        exchanged ? "The service key was exchanged for a token; the provider lists no"
                                + " models (they are forwarded as asked)." : "The provider lists no models.");
            }
            OutboundHttp.Answer response = listModels(target);
            long latency = (System.nanoTime() - start) / 1_000_000;
            if (!response.ok()) {
                return new ConnectionTestResult(false, response.status(), latency, 0,
                        "HTTP " + response.status() + ": " + Texts.abbreviate(text(target, response.body()), 300));
            }
            return new ConnectionTestResult(true, response.status(), latency, parseModels(response.body()).size(), "OK");
        } catch (IOException | RuntimeException e) {
            return new ConnectionTestResult(false, 0, (System.nanoTime() - start) / 1_000_000, 0, describe(e));
        }
    }

    /** Fetches the provider's model list and stores it (admins only); returns the model ids. */
    public List<String> refresh(Caller actor, String name) {
        Authorization.requireAdmin(actor);
        List<String> models = refresh(name);
        audit.record(actor, "Refreshed the models of provider '" + name + "'");
        return models;
    }

    List<String> refresh(String name) {
        ProviderTarget target = target(name);
        Provider provider = providers.find(name).orElseThrow();
        if (!listsModels(provider)) {
            return List.of();
        }
        try {
            OutboundHttp.Answer response = listModels(target);
            if (!response.ok()) {
                throw new IOException("HTTP " + response.status() + ": " + Texts.abbreviate(text(target, response.body()), 300));
            }
            CredentialScrubber scrubber = target.scrubber();
            // a model id that quotes the provider's key would show it to every client in /v1/models
            List<String> ids = parseModels(response.body()).stream().filter(id -> !scrubber.isIn(id)).toList();
            Instant now = Instant.now();
            List<ProviderModel> rows = new ArrayList<>();
            ids.forEach(id -> rows.add(new ProviderModel(provider.getId(), id, name, now)));
            providers.replaceModels(provider.getId(), rows, now);
            routes.rebuild();
            return ids;
        } catch (IOException | RuntimeException e) {
            providers.recordError(provider.getId(), describe(e));
            events.error("provider", name, "Model refresh failed: " + describe(e));
            throw GatewayException.upstreamUnavailable(name, describe(e), e);
        }
    }

    void refreshStale() {
        Instant staleBefore = Instant.now().minus(settings.modelRefreshInterval());
        for (Provider p : providers.findAll()) {
            boolean stale = p.getModelsRefreshedAt() == null || p.getModelsRefreshedAt().isBefore(staleBefore);
            if (p.isEnabled() && stale) {
                try {
                    refresh(p.getName());
                } catch (GatewayException e) {
                    LOG.log(Level.INFO, "Model refresh of provider ''{0}'' failed: {1}",
                            new Object[] {p.getName(), e.getMessage()});
                }
            }
        }
    }

    /** Whether the provider's preset (if any) has a model list to discover. */
    private static boolean listsModels(Provider provider) {
        return io.tokenrouter.upstream.ProviderPreset.find(provider.getPreset())
                .map(io.tokenrouter.upstream.ProviderPreset::listsModels).orElse(true);
    }

    private ProviderTarget target(String name) {
        return routes.current().provider(name)
                .orElseThrow(() -> GatewayException.notFound("No enabled provider named '" + name + "'."));
    }

    /**
     * The provider's model list; Anthropic's in one page (it gives 20 models a page unless asked for more). A
     * provider whose key is a service key is called with the token it is exchanged for.
     */
    private OutboundHttp.Answer listModels(ProviderTarget target) throws IOException {
        java.util.Map<String, String> auth;
        try {
            auth = target.authStyle().exchanged() ? serviceKeyTokens.headersNow(target.credential()) : target.authHeaders();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        OutboundHttp.Answer answer = http.get(target.resolve(target.speaksAnthropic() ? "models?limit=1000" : "models"),
                auth, target.connectTimeout().plus(CALL_DEADLINE));
        if (answer.status() == 401 && target.authStyle().exchanged()) {
            serviceKeyTokens.refused(target.credential());
        }
        return answer;
    }

    /** The longest model id kept, and the most models kept of one provider's list. */
    static final int MAX_MODEL_ID = 300;
    static final int MAX_MODELS = 20_000;

    /** The ids of a model list, without a {@code models/} prefix, each once, within the bounds above. */
    static List<String> parseModels(byte[] body) throws IOException {
        JsonNode root = Json.parse(body);
        JsonNode data = root.isArray() ? root : root.path("data");
        if (!data.isArray()) {
            throw new IOException("the model list has no 'data' array");
        }
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        for (JsonNode model : data) {
            String id = Json.textOrNull(model, "id");
            // an id longer than a model name can be (the column's 300 characters) is not one
            if (id != null && !id.isBlank() && id.strip().length() <= MAX_MODEL_ID && ids.size() < MAX_MODELS) {
                ids.add(ModelNames.listed(id.strip()));
            }
        }
        return List.copyOf(ids);
    }

    /** What went wrong, without exception text of code outside ours (it could quote a request header). */
    private static String describe(Exception e) {
        if (e instanceof IOException || e instanceof GatewayException) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return "unexpected " + e.getClass().getSimpleName();
    }

    /** An answer's body as text, without the provider's own credentials. */
    private static String text(ProviderTarget target, byte[] body) {
        return target.scrubber().scrub(new String(body, StandardCharsets.UTF_8));
    }
}
