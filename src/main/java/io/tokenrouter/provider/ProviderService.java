package io.tokenrouter.provider;

import io.tokenrouter.routing.ProviderKeys;
import io.tokenrouter.routing.KeyPool;
import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.Database;
import io.tokenrouter.config.Durations;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.routing.TargetHealth;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.ProviderModel;
import io.tokenrouter.store.ProviderRepository;
import io.tokenrouter.store.SecretCipher;
import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.upstream.ProviderPreset;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Providers edited at run time (API and console), by admins: validated, their keys checked and sealed,
 * stored with the audit entry in one transaction, then the route table rebuilt on this node (other nodes
 * follow within {@code route_refresh_interval}) and, for a new provider or a changed URL or key, its
 * models discovered in the background.
 */
@ApplicationScoped
public class ProviderService {

    @Inject
    GatewaySettings settings;
    @Inject
    ProviderRepository providers;
    @Inject
    Routes routes;
    @Inject
    ProviderProbeService discovery;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;
    @Inject
    TargetHealth health;
    @Inject
    NodeRegistry node;

    /** This node's view of failing targets and their cool-downs; each node observes the providers itself. */
    public record Health(String node, List<TargetHealth.View> data) {
    }

    /** The targets' health as this node sees it, for admins. */
    public Health health(Caller actor) {
        Authorization.requireAdmin(actor);
        return new Health(node.name(), health.view());
    }

    public List<ProviderView> list(Caller actor) {
        Authorization.requireAdmin(actor);
        return list();
    }

    public ProviderView get(Caller actor, String name) {
        Authorization.requireAdmin(actor);
        return get(name);
    }

    /** The gateway-wide timeouts of a provider that sets none of its own. */
    public java.time.Duration defaultConnectTimeout() {
        return settings.connectTimeout();
    }

    public java.time.Duration defaultReadTimeout() {
        return settings.readTimeout();
    }

    public List<PresetView> presets(Caller actor) {
        Authorization.requireAdmin(actor);
        return Arrays.stream(ProviderPreset.values()).map(PresetView::of).toList();
    }

    List<ProviderView> list() {
        Map<Long, Long> counts = providers.findAllModels().stream()
                .collect(Collectors.groupingBy(ProviderModel::getProviderId, Collectors.counting()));
        return providers.findAll().stream()
                .map(p -> ProviderView.of(p, counts.getOrDefault(p.getId(), 0L).intValue())).toList();
    }

    ProviderView get(String name) {
        return list().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> GatewayException.notFound("No provider named '" + name + "'."));
    }

    public ProviderView create(Caller actor, ProviderDraft draft) {
        Authorization.requireAdmin(actor);
        if (draft.name() == null || !draft.name().matches("[A-Za-z0-9._-]{1,100}")) {
            throw GatewayException.invalidRequest("name", "name must be 1 to 100 letters, digits, '.', '_' or '-'.");
        }
        if (providers.find(draft.name()).isPresent()) {
            throw GatewayException.conflict("A provider named '" + draft.name() + "' already exists.");
        }
        Optional<ProviderPreset> preset = preset(draft.preset());
        if (draft.baseUrl() == null && preset.isEmpty()) {
            throw GatewayException.invalidRequest("base_url", "base_url is required when no preset is given.");
        }
        if (draft.baseUrl() == null && preset.get().baseUrl() == null) {
            throw needsBaseUrl(preset.get());
        }
        Provider p = new Provider();
        p.setName(draft.name());
        p.setPreset(preset.map(ProviderPreset::id).orElse(null));
        p.setBaseUrl(preset.map(ProviderPreset::baseUrl).orElse(null));
        p.setEnabled(true);
        return save(actor, p, draft, preset, "Created provider '" + draft.name() + "'");
    }

    public ProviderView update(Caller actor, String name, ProviderDraft draft) {
        Authorization.requireAdmin(actor);
        Provider p = providers.find(name).orElseThrow(() -> GatewayException.notFound("No provider named '" + name + "'."));
        if (draft.name() != null && !draft.name().equals(name)) {
            throw GatewayException.invalidRequest("name", "A provider cannot be renamed; create a new one.");
        }
        Optional<ProviderPreset> preset = draft.preset() == null ? ProviderPreset.find(p.getPreset()) : preset(draft.preset());
        if (draft.preset() != null) {
            if (draft.baseUrl() == null && preset.isPresent() && preset.get().baseUrl() == null
                    && !preset.get().id().equals(p.getPreset())) {
                throw needsBaseUrl(preset.get());
            }
            p.setPreset(preset.map(ProviderPreset::id).orElse(null));
            if (draft.baseUrl() == null) {
                p.setBaseUrl(preset.map(ProviderPreset::baseUrl).orElse(p.getBaseUrl()));
            }
        }
        return save(actor, p, draft, preset, "Changed provider '" + name + "'");
    }

    /** Stores the token a sign-in gave ({@link DeviceSignIn}) as the provider's key, audited as a sign-in. */
    ProviderView signedIn(Caller actor, String name, String token, String where) {
        Authorization.requireAdmin(actor);
        Provider p = providers.find(name).orElseThrow(() -> GatewayException.notFound("No provider named '" + name + "'."));
        return save(actor, p, new ProviderDraft(null, null, null, token, null, null, null, null),
                ProviderPreset.find(p.getPreset()), "Signed provider '" + name + "' in with " + where);
    }

    /** The preset of a stored provider, if it has one. */
    Optional<ProviderPreset> presetOf(String name) {
        Provider p = providers.find(name).orElseThrow(() -> GatewayException.notFound("No provider named '" + name + "'."));
        return ProviderPreset.find(p.getPreset());
    }

    public void delete(Caller actor, String name) {
        Authorization.requireAdmin(actor);
        database.run(em -> {
            if (!providers.delete(name)) {
                throw GatewayException.notFound("No provider named '" + name + "'.");
            }
            audit.record(actor, "Deleted provider '" + name + "'");
        });
        routes.rebuild();
    }

    /** Seals a pool: every key with its weight, and the first key alone for discovery and connection tests. */
    static void storePool(Provider p, List<ProviderTarget.Key> pool, SecretCipher cipher) {
        p.setApiKeySealed(cipher.seal(pool.get(0).credential()));
        p.setApiKeyPoolSealed(pool.size() == 1 ? null : cipher.seal(KeyPool.write(pool)));
        p.setApiKeyCount(pool.size() == 1 ? null : pool.size());
    }

    private ProviderView save(Caller actor, Provider p, ProviderDraft draft, Optional<ProviderPreset> preset,
                              String change) {
        String urlBefore = p.getId() == null ? null : p.getBaseUrl();
        String keyBefore = p.getApiKeySealed();
        if (draft.baseUrl() != null) {
            p.setBaseUrl(draft.baseUrl().trim());
        }
        try {
            ProviderUrls.validate(p.getName(), p.getBaseUrl());
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest("base_url", e.getMessage());
        }
        if (draft.apiKey() != null && draft.apiKeys() != null) {
            throw GatewayException.invalidRequest("api_keys", "Give either api_key or api_keys, not both.");
        }
        if (draft.apiKey() != null) {
            String key;
            try {
                key = ProviderKeys.clean(p.getName(), draft.apiKey());
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalidRequest("api_key", e.getMessage());
            }
            p.setApiKeySealed(key == null ? null : SecretCipher.from(settings).seal(key));
            p.setApiKeyPoolSealed(null);
            p.setApiKeyCount(null);
        }
        if (draft.apiKeys() != null) {
            List<ProviderTarget.Key> pool;
            try {
                pool = KeyPool.clean(p.getName(), draft.apiKeys().stream().map(k -> k == null ? null
                        : new ProviderTarget.Key(k.key(), k.weight() == null ? 1 : k.weight())).toList());
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalidRequest("api_keys", e.getMessage());
            }
            storePool(p, pool, SecretCipher.from(settings));
        }
        p.setAuthStyle(keyless(p, preset, SecretCipher.from(settings)).name());
        if (draft.enabled() != null) {
            p.setEnabled(draft.enabled());
        }
        if (draft.position() != null) {
            p.setPosition(draft.position());
        }
        if (draft.forwardUnlistedModels() != null) {
            p.setForwardUnlistedModels(draft.forwardUnlistedModels().stored());
        }
        p.setConnectTimeoutMs(timeout("connect_timeout", draft.connectTimeout(), p.getConnectTimeoutMs()));
        p.setReadTimeoutMs(timeout("read_timeout", draft.readTimeout(), p.getReadTimeoutMs()));
        p.setSource(Provider.SOURCE_RUNTIME);
        boolean reach = urlBefore == null || !urlBefore.equals(p.getBaseUrl())
                || !java.util.Objects.equals(keyBefore, p.getApiKeySealed());
        Provider stored = database.inTransaction(em -> {
            Provider saved = providers.store(p);
            audit.record(actor, change);
            return saved;
        });
        routes.rebuild();
        if (reach && stored.isEnabled()) {
            discovery.refreshSoon(stored.getName());
        }
        return get(stored.getName());
    }

    /**
     * The auth style of a provider with the key it has ({@link ProviderPreset#authStyleOf}); a provider without one
     * whose preset takes a public credential from keyless clients (OpenCode Zen's {@code public}) has that sealed as
     * its key first.
     */
    static AuthStyle keyless(Provider p, Optional<ProviderPreset> preset, SecretCipher cipher) {
        String publicCredential = preset.map(ProviderPreset::publicCredential).orElse(null);
        if (p.getApiKeySealed() == null && publicCredential != null) {
            p.setApiKeySealed(cipher.seal(publicCredential));
        }
        return ProviderPreset.authStyleOf(preset, p.getApiKeySealed() != null);
    }

    private static GatewayException needsBaseUrl(ProviderPreset preset) {
        return GatewayException.invalidRequest("base_url", "The " + preset.label() + " preset needs base_url, your"
                + " resource's URL: " + preset.template() + ".");
    }

    private static Optional<ProviderPreset> preset(String id) {
        if (id == null) {
            return Optional.empty();
        }
        return Optional.of(ProviderPreset.find(id).orElseThrow(() ->
                GatewayException.invalidRequest("preset", "Unknown preset '" + id + "'.")));
    }

    private static Long timeout(String field, String text, Long current) {
        if (text == null) {
            return current;
        }
        try {
            return Durations.parse(field, text).toMillis();
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest(field, e.getMessage());
        }
    }
}
