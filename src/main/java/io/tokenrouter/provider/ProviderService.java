package io.tokenrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.ProviderModel;
import io.tokenrouter.store.ProviderRepository;
import io.tokenrouter.upstream.UpstreamHttp;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
public class ProviderService {

    private static final Logger LOG = Logger.getLogger(ProviderService.class.getName());

    @Inject
    GatewaySettings settings;
    @Inject
    ProviderRepository providers;
    @Inject
    Routes routes;
    @Inject
    UpstreamHttp http;
    @Inject
    Scheduler scheduler;
    @Inject
    io.tokenrouter.observe.EventLog events;

    public void start() {
        scheduler.later(this::refreshStale);
        scheduler.every(Duration.ofMinutes(1), "model refresh", this::refreshStale);
    }

    /** Calls the provider's model list with its credential and reports what happened. */
    public ConnectionTestResult test(String name) {
        ProviderTarget target = target(name);
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response = listModels(target);
            long latency = (System.nanoTime() - start) / 1_000_000;
            if (response.statusCode() / 100 != 2) {
                return new ConnectionTestResult(false, response.statusCode(), latency, 0,
                        "HTTP " + response.statusCode() + ": " + abbreviate(new String(response.body())));
            }
            return new ConnectionTestResult(true, response.statusCode(), latency, parseModels(response.body()).size(), "OK");
        } catch (IOException | RuntimeException e) {
            return new ConnectionTestResult(false, 0, (System.nanoTime() - start) / 1_000_000, 0, describe(e));
        }
    }

    /** Fetches the provider's model list and stores it; returns the model ids. */
    public List<String> refresh(String name) {
        ProviderTarget target = target(name);
        Provider provider = providers.find(name).orElseThrow();
        try {
            HttpResponse<byte[]> response = listModels(target);
            if (response.statusCode() / 100 != 2) {
                throw new IOException("HTTP " + response.statusCode() + ": " + abbreviate(new String(response.body())));
            }
            List<String> ids = parseModels(response.body());
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

    private ProviderTarget target(String name) {
        return routes.current().provider(name)
                .orElseThrow(() -> GatewayException.notFound("No enabled provider named '" + name + "'."));
    }

    private HttpResponse<byte[]> listModels(ProviderTarget target) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve("models"))
                .version(UpstreamHttp.versionFor(target.baseUrl()))
                .timeout(target.readTimeout())
                .header("Accept", "application/json")
                .GET();
        String[] auth = target.authStyle().header(target.credential());
        if (auth != null) {
            request.header(auth[0], auth[1]);
        }
        try {
            return http.client(target.connectTimeout()).send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static List<String> parseModels(byte[] body) throws IOException {
        JsonNode root = Json.parse(body);
        JsonNode data = root.isArray() ? root : root.path("data");
        if (!data.isArray()) {
            throw new IOException("the model list has no 'data' array");
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode model : data) {
            String id = Json.textOrNull(model, "id");
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e instanceof java.net.ConnectException ? "connection refused (" + message + ")" : message;
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
