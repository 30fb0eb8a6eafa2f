package io.tokenrouter.routing;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.ModelAlias;
import io.tokenrouter.store.ModelAliasRepository;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.ProviderModel;
import io.tokenrouter.store.ProviderRepository;
import io.tokenrouter.store.SecretCipher;
import io.tokenrouter.store.Setting;
import io.tokenrouter.store.SettingRepository;
import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.upstream.ProviderPreset;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Holds the current {@link RouteTable}. Every {@code route_refresh_interval} it compares the database's
 * configuration version with the one its table was built from and rebuilds on a change, so a change
 * made on any node of a cluster reaches every node within that interval. Reading the table never
 * touches the database.
 */
@ApplicationScoped
public class Routes {

    private static final Logger LOG = Logger.getLogger(Routes.class.getName());

    @Inject
    GatewaySettings settings;
    @Inject
    ProviderRepository providers;
    @Inject
    ModelAliasRepository aliases;
    @Inject
    SettingRepository settingStore;
    @Inject
    Scheduler scheduler;

    private volatile RouteTable table = RouteTable.empty();
    private volatile long builtFromVersion = -1;
    private SecretCipher cipher;

    /** Builds the first table and starts watching for changes. */
    public void start() {
        cipher = SecretCipher.from(settings);
        rebuild();
        scheduler.every(settings.routeRefreshInterval(), "route refresh", this::refreshIfChanged);
    }

    public RouteTable current() {
        return table;
    }

    public void refreshIfChanged() {
        long version = settingStore.routingVersion();
        if (version != builtFromVersion) {
            rebuild(version);
        }
    }

    public void rebuild() {
        rebuild(settingStore.routingVersion());
    }

    private synchronized void rebuild(long version) {
        Map<String, String> values = settingStore.findAll();
        List<Provider> all = providers.findAll();
        List<ProviderTarget> enabled = new ArrayList<>();
        Set<String> disabled = new HashSet<>();
        for (Provider p : all) {
            if (p.isEnabled()) {
                enabled.add(target(p));
            } else {
                disabled.add(p.getName());
            }
        }
        table = new RouteTable(enabled, disabled, aliasMap(), values.get(Setting.ACTIVE_MODEL_PROFILE),
                values.get(Setting.DEFAULT_PROVIDER), values.get(Setting.DEFAULT_MODEL),
                allowList(values.get(Setting.ALLOWED_MODELS)), discovered(all), Instant.now().getEpochSecond(),
                Boolean.parseBoolean(values.get(Setting.CONVERSATIONS_ENABLED)));
        builtFromVersion = version;
        LOG.fine(() -> "Routes rebuilt at configuration version " + version + ": " + enabled.size() + " providers");
    }

    private ProviderTarget target(Provider p) {
        return new ProviderTarget(p.getName(), URI.create(p.getBaseUrl()), cipher.open(p.getApiKeySealed()),
                AuthStyle.valueOf(p.getAuthStyle()),
                p.getConnectTimeoutMs() == null ? settings.connectTimeout() : Duration.ofMillis(p.getConnectTimeoutMs()),
                p.getReadTimeoutMs() == null ? settings.readTimeout() : Duration.ofMillis(p.getReadTimeoutMs()),
                p.getApiKeyPoolSealed() == null ? List.of() : io.tokenrouter.routing.KeyPool.read(cipher.open(p.getApiKeyPoolSealed())),
                p.getForwardUnlistedModels() != null ? p.getForwardUnlistedModels()
                        : ProviderPreset.forwardsUnlistedByDefault(p.getPreset()));
    }

    private Map<String, List<AliasTarget>> aliasMap() {
        Map<String, List<AliasTarget>> result = new LinkedHashMap<>();
        for (ModelAlias a : aliases.findAll()) {
            result.computeIfAbsent(a.getName(), k -> new ArrayList<>())
                    .add(new AliasTarget(a.getProfile(), a.getProvider(), a.getModel(), a.getOrder(), a.getWeight()));
        }
        return result;
    }

    private Map<String, List<String>> discovered(List<Provider> all) {
        Map<Long, String> names = new java.util.HashMap<>();
        all.forEach(p -> names.put(p.getId(), p.getName()));
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (ProviderModel m : providers.findAllModels()) {
            String name = names.get(m.getProviderId());
            if (name != null) {
                result.computeIfAbsent(name, k -> new ArrayList<>()).add(m.getModelId());
            }
        }
        return result;
    }

    private static Set<String> allowList(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        Set<String> result = new HashSet<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                result.add(s.trim());
            }
        }
        return result;
    }
}
