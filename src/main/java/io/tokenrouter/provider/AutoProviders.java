package io.tokenrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.events.EventLog;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.runtime.Operations;
import io.tokenrouter.runtime.RuntimeSettings;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.ProviderRepository;
import io.tokenrouter.store.SecretCipher;
import io.tokenrouter.upstream.OutboundHttp;
import io.tokenrouter.upstream.ProviderPreset;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Providers the gateway adds by itself, as two run-time settings ask:
 * <ul>
 * <li>{@code auto_enable_public_free_models}: a provider for each preset of public free models that needs no key
 * (OpenCode Zen), source {@code auto}; removed when the setting is switched off.</li>
 * <li>{@code auto_detect_local_servers}: every {@link #EVERY} each node looks on its own host for Ollama, LM
 * Studio, vLLM and llama.cpp at their usual ports, each recognised by an answer only it gives (not merely an
 * open port), and adds a provider for each it finds, source {@code detected}. The row's {@code updated_at} is
 * when a node last saw the server; a server no node has seen for {@link #GONE_AFTER} is removed, and all of them
 * when the setting is switched off.</li>
 * </ul>
 * A provider of the same name that exists already is never touched, nor is a local server added that a provider
 * of another name already points at; one an administrator edits (or disables) becomes theirs (source {@code
 * runtime}) and stays. Detection adds nothing while other nodes share the database (a server on 127.0.0.1 is one
 * host's). Every addition and removal is an event.
 */
@ApplicationScoped
public class AutoProviders {

    private static final Logger LOG = Logger.getLogger(AutoProviders.class.getName());
    static final Duration EVERY = Duration.ofSeconds(30);
    /** A detected server no node has seen for this long is removed. */
    static final Duration GONE_AFTER = Duration.ofMinutes(2);
    private static final Duration PROBE_DEADLINE = Duration.ofSeconds(2);

    /** A kind of local server: where it usually listens, and the answer that tells it from any other server. */
    record LocalServer(ProviderPreset preset, String baseUrl, String probePath, Predicate<JsonNode> recognised) {

        /** The probe's URL: {@code probePath} below the server's root (its base URL without {@code /v1}). */
        URI probe() {
            String root = baseUrl.endsWith("/v1") ? baseUrl.substring(0, baseUrl.length() - 3) : baseUrl;
            return URI.create(root + probePath);
        }
    }

    /** Ollama lists its models at /api/tags, LM Studio at /api/v0/models, vLLM owns its models, llama.cpp has /props. */
    static final List<LocalServer> USUAL = List.of(
            new LocalServer(ProviderPreset.OLLAMA, ProviderPreset.OLLAMA.baseUrl(), "/api/tags",
                    json -> json.path("models").isArray()),
            new LocalServer(ProviderPreset.LMSTUDIO, ProviderPreset.LMSTUDIO.baseUrl(), "/api/v0/models",
                    json -> json.path("data").isArray()),
            new LocalServer(ProviderPreset.VLLM, ProviderPreset.VLLM.baseUrl(), "/v1/models",
                    json -> json.path("data").isArray() && !json.path("data").isEmpty()
                            && "vllm".equals(json.path("data").path(0).path("owned_by").asText())),
            new LocalServer(ProviderPreset.LLAMACPP, ProviderPreset.LLAMACPP.baseUrl(), "/props",
                    json -> json.has("default_generation_settings") || json.has("total_slots")));

    @Inject
    ProviderRepository providers;
    @Inject
    RuntimeSettings runtime;
    @Inject
    Routes routes;
    @Inject
    ProviderProbeService discovery;
    @Inject
    OutboundHttp http;
    @Inject
    EventLog events;
    @Inject
    AuditTrail audit;
    @Inject
    Scheduler scheduler;
    @Inject
    NodeRegistry nodes;
    @Inject
    GatewaySettings settings;

    /** What time it is; tests move it. */
    Clock clock = Clock.systemUTC();
    /** The local servers looked for; tests give their own. */
    List<LocalServer> localServers = USUAL;

    public void start() {
        scheduler.outbound("providers added by themselves", this::run);
        scheduler.everyOutbound(EVERY, "providers added by themselves", this::run);
    }

    /** One round: both settings as they stand now. */
    void run() {
        Operations ops = runtime.operations();
        List<Provider> all = providers.findAll();
        boolean changed = publicFree(ops.autoEnablePublicFreeModels(), all);
        changed |= local(ops.autoDetectLocalServers(), all);
        if (changed) {
            routes.rebuild();
        }
    }

    /** Adds (or, switched off, removes) the providers of public free models; true when it changed one. */
    private boolean publicFree(boolean on, List<Provider> all) {
        boolean changed = false;
        for (ProviderPreset preset : Arrays.stream(ProviderPreset.values())
                .filter(p -> p.access() == ProviderPreset.Access.PUBLIC_FREE).toList()) {
            Provider existing = named(all, preset.id());
            if (on && existing == null) {
                add(preset, preset.baseUrl(), Provider.SOURCE_AUTO, "Added provider '" + preset.id() + "' (" + preset.label()
                        + ": public free models, no key) as auto_enable_public_free_models asks");
                changed = true;
            } else if (!on && existing != null && Provider.SOURCE_AUTO.equals(existing.getSource())) {
                changed |= remove(existing, "auto_enable_public_free_models is off");
            }
        }
        return changed;
    }

    /**
     * Looks for the local servers on this node's host: adds a provider for one found, marks one known as seen,
     * and removes those no node has seen for {@link #GONE_AFTER} (all of them when switched off).
     */
    private boolean local(boolean on, List<Provider> all) {
        boolean changed = false;
        Instant now = clock.instant();
        boolean alone = on && alone(now);
        for (LocalServer server : localServers) {
            Provider existing = named(all, server.preset().id());
            boolean detected = existing != null && Provider.SOURCE_DETECTED.equals(existing.getSource());
            if (!on) {
                if (detected) {
                    changed |= remove(existing, "auto_detect_local_servers is off");
                }
                continue;
            }
            if (existing != null && !detected) {
                continue; // an administrator's own provider of that name
            }
            boolean configuredElsewhere = all.stream().anyMatch(p -> !p.getName().equals(server.preset().id())
                    && sameServer(p.getBaseUrl(), server.baseUrl()));
            if (alone && !configuredElsewhere && answers(server)) {
                if (existing == null) {
                    add(server.preset(), server.baseUrl(), Provider.SOURCE_DETECTED, "Detected " + server.preset().label()
                            + " at " + server.baseUrl() + " on this node's host; added provider '" + server.preset().id() + "'");
                    changed = true;
                } else {
                    providers.markSeen(existing.getId(), now);
                }
            } else if (detected && existing.getUpdatedAt() != null
                    && existing.getUpdatedAt().isBefore(now.minus(GONE_AFTER))) {
                changed |= remove(existing, "no node has seen it for " + GONE_AFTER.toMinutes() + " minutes");
            }
        }
        return changed;
    }

    private static Provider named(List<Provider> all, String name) {
        return all.stream().filter(p -> p.getName().equals(name)).findFirst().orElse(null);
    }

    /**
     * Whether this node is the only one serving from this database: a server on 127.0.0.1 is one node's, and
     * nodes on other hosts would reach their own. In a cluster, detection adds nothing (and what it added goes
     * once no node has seen it for {@link #GONE_AFTER}); local servers are then configured by their address.
     */
    private boolean alone(Instant now) {
        long others = nodes.nodes().stream().filter(n -> !n.nodeId().equals(nodes.nodeId()))
                .filter(n -> n.lastSeen() != null && n.lastSeen().isAfter(now.minus(GONE_AFTER))).count();
        if (others > 0 && !clusterNoted) {
            clusterNoted = true;
            LOG.info("auto_detect_local_servers: " + others + " other node(s) share this database, so local model servers"
                    + " are not added by themselves; configure them by their address");
        }
        return others == 0;
    }

    private volatile boolean clusterNoted;

    /** Whether two base URLs name the same server: the same port, on the same host or both on this one's loopback. */
    static boolean sameServer(String a, String b) {
        try {
            URI x = URI.create(a);
            URI y = URI.create(b);
            return x.getPort() == y.getPort() && (x.getHost() != null && x.getHost().equalsIgnoreCase(y.getHost())
                    || loopback(x.getHost()) && loopback(y.getHost()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean loopback(String host) {
        return host != null && (host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    /** Whether the server answers as only its kind does, within {@link #PROBE_DEADLINE}. */
    boolean answers(LocalServer server) {
        try {
            OutboundHttp.Answer answer = http.get(server.probe(), Map.of("Accept", "application/json"), PROBE_DEADLINE);
            return answer.ok() && server.recognised().test(Json.parse(answer.body()));
        } catch (IOException | RuntimeException e) {
            return false; // nothing listens, or something else does
        }
    }

    private void add(ProviderPreset preset, String baseUrl, String source, String event) {
        Provider p = new Provider();
        p.setName(preset.id());
        p.setPreset(preset.id());
        p.setBaseUrl(baseUrl);
        p.setAuthStyle(ProviderService.keyless(p, Optional.of(preset), SecretCipher.from(settings)).name());
        p.setEnabled(true);
        p.setPosition(1000);
        p.setSource(source);
        try {
            providers.store(p);
        } catch (RuntimeException e) {
            // another node added it first (the name is unique), or the database refused: the next round sees
            LOG.log(Level.FINE, "Could not add provider '" + preset.id() + "'", e);
            return;
        }
        events.info("provider", preset.id(), event);
        audit.bySystem(cause(source), event);
        discovery.refreshSoon(preset.id());
    }

    private boolean remove(Provider provider, String why) {
        if (!providers.deleteIf(provider.getName(), provider.getSource())) {
            return false; // gone already, or an administrator made it theirs meanwhile
        }
        String removed = "Removed provider '" + provider.getName() + "' (added by itself): " + why;
        events.info("provider", provider.getName(), removed);
        audit.bySystem(cause(provider.getSource()), removed);
        return true;
    }

    /** The setting that has the gateway add providers of {@code source} by itself. */
    private static String cause(String source) {
        return Provider.SOURCE_DETECTED.equals(source) ? "auto_detect_local_servers" : "auto_enable_public_free_models";
    }
}
