package io.tokenrouter.provider;

import io.tokenrouter.routing.ProviderKeys;
import io.tokenrouter.routing.KeyPool;
import io.tokenrouter.config.AliasSettings;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.ProviderSettings;
import io.tokenrouter.store.ModelAlias;
import io.tokenrouter.store.ModelAliasRepository;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.ProviderRepository;
import io.tokenrouter.store.SecretCipher;
import io.tokenrouter.store.Setting;
import io.tokenrouter.store.SettingRepository;
import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.upstream.ProviderPreset;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Copies what the configuration says about providers, aliases and routing settings into the database
 * at start-up. Providers defined in the file are owned by it (updated at every start); a provider of
 * the same name created at run time is left alone.
 */
@ApplicationScoped
public class ProviderSeeder {

    private static final Logger LOG = Logger.getLogger(ProviderSeeder.class.getName());

    @Inject
    GatewaySettings settings;
    @Inject
    ProviderRepository providers;
    @Inject
    ModelAliasRepository aliases;
    @Inject
    SettingRepository settingStore;

    public void seed() {
        SecretCipher cipher = SecretCipher.from(settings);
        for (ProviderSettings configured : settings.providers()) {
            seedProvider(configured, cipher);
        }
        aliases.replaceFromConfig(configAliases());
        storeIfConfigured(Setting.DEFAULT_PROVIDER, settings.defaultProvider());
        storeIfConfigured(Setting.DEFAULT_MODEL, settings.defaultModel());
        storeIfConfigured(Setting.ACTIVE_MODEL_PROFILE, settings.activeModelProfile());
        if (!settings.allowedModels().isEmpty()) {
            settingStore.store(Setting.ALLOWED_MODELS, String.join(",", settings.allowedModels()));
        }
    }

    private void seedProvider(ProviderSettings configured, SecretCipher cipher) {
        Optional<Provider> existing = providers.find(configured.name());
        // a row the gateway added by itself (auto, detected) gives way to the file's entry of that name
        if (existing.isPresent() && Provider.SOURCE_RUNTIME.equals(existing.get().getSource())) {
            LOG.info("Provider '" + configured.name() + "' was edited at run time; the configuration file's entry is ignored");
            return;
        }
        Optional<ProviderPreset> preset = ProviderPreset.find(configured.preset());
        if (configured.preset() != null && preset.isEmpty()) {
            throw new IllegalStateException("provider '" + configured.name() + "' names an unknown preset '"
                    + configured.preset() + "'");
        }
        String baseUrl = configured.baseUrl() != null ? configured.baseUrl() : preset.get().baseUrl();
        if (baseUrl == null) {
            throw new IllegalStateException("provider '" + configured.name() + "' needs base_url with the " + preset.get().id()
                    + " preset, its resource's URL: " + preset.get().template());
        }
        ProviderUrls.validate(configured.name(), baseUrl);
        Provider p = existing.orElseGet(Provider::new);
        p.setName(configured.name());
        p.setPreset(preset.map(ProviderPreset::id).orElse(null));
        p.setBaseUrl(baseUrl);
        if (configured.apiKeys() != null) {
            if (configured.apiKey() != null) {
                throw new IllegalStateException("provider '" + configured.name() + "' has both api_key and api_keys");
            }
            ProviderService.storePool(p, KeyPool.clean(configured.name(), configured.apiKeys().stream()
                    .map(k -> new io.tokenrouter.routing.ProviderTarget.Key(k.key(), k.weight())).toList()), cipher);
        } else {
            String key = ProviderKeys.clean(configured.name(), configured.apiKey());
            p.setApiKeySealed(key == null ? null : cipher.seal(key));
            p.setApiKeyPoolSealed(null);
            p.setApiKeyCount(null);
        }
        boolean takesPublicCredential = p.getApiKeySealed() == null && preset.map(ProviderPreset::publicCredential).isPresent();
        p.setAuthStyle((takesPublicCredential ? ProviderService.keyless(p, preset, cipher)
                : authStyle(configured, preset)).name());
        p.setEnabled(configured.enabled());
        p.setConnectTimeoutMs(configured.connectTimeout() == null ? null : configured.connectTimeout().toMillis());
        p.setReadTimeoutMs(configured.readTimeout() == null ? null : configured.readTimeout().toMillis());
        p.setForwardUnlistedModels(configured.forwardUnlistedModels());
        p.setSource(Provider.SOURCE_CONFIG);
        providers.store(p);
    }

    private static AuthStyle authStyle(ProviderSettings configured, Optional<ProviderPreset> preset) {
        return ProviderPreset.authStyleOf(preset, configured.apiKey() != null || configured.apiKeys() != null);
    }

    private List<ModelAlias> configAliases() {
        List<ModelAlias> result = new ArrayList<>();
        for (AliasSettings alias : settings.aliases()) {
            for (AliasSettings.Target t : alias.targets()) {
                ModelAlias row = new ModelAlias();
                row.setName(alias.name());
                row.setProfile(t.profile() == null ? "default" : t.profile());
                row.setProvider(t.provider());
                row.setModel(t.model());
                row.setOrder(t.order() == null ? 1 : t.order());
                row.setWeight(t.weight() == null ? 1 : t.weight());
                row.setSource(Provider.SOURCE_CONFIG);
                result.add(row);
            }
        }
        return result;
    }

    private void storeIfConfigured(String name, Optional<String> value) {
        value.ifPresent(v -> settingStore.store(name, v));
    }
}
