package io.tokenrouter.console;

import io.tokenrouter.provider.ProviderService;
import io.tokenrouter.provider.ProviderView;
import io.tokenrouter.routing.RoutingService;
import io.tokenrouter.routing.RoutingSettings;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings: routing defaults, the global allow-list, providers added by themselves (public free models, local
 * servers), conversation capture and retention, log retention, trusted proxies and provider-quota alerts, for the
 * whole cluster. {@link RoutingService} validates and audits.
 */
@Named
@ViewScoped
public class SettingsView implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    RoutingService routing;
    @Inject
    ProviderService providers;
    @Inject
    io.tokenrouter.sso.SsoSignIn sso;

    private boolean loaded;
    /** What the page showed, so that saving sends only what was changed (an untouched file value stays the file's). */
    private RoutingSettings shown;
    private String defaultProvider;
    private String defaultModel;
    private List<String> allowedModels = new ArrayList<>();
    private boolean conversationsEnabled;
    private String conversationRetention;
    private String logRetention;
    private List<String> trustedProxies = new ArrayList<>();
    private Double alertPercent;
    private String alertWebhookUrl;
    private boolean autoEnablePublicFreeModels;
    private boolean autoDetectLocalServers;
    private boolean consoleKeySignIn = true;

    public void load() {
        if (loaded) {
            return;
        }
        RoutingSettings s = Console.attempt(() -> routing.settings(Console.caller()), null);
        if (s == null) {
            return;
        }
        defaultProvider = s.defaultProvider();
        defaultModel = s.defaultModel();
        allowedModels = s.allowedModels() == null ? new ArrayList<>() : new ArrayList<>(s.allowedModels());
        conversationsEnabled = Boolean.TRUE.equals(s.conversationsEnabled());
        conversationRetention = s.conversationRetention();
        logRetention = s.logRetention();
        trustedProxies = s.trustedProxies() == null ? new ArrayList<>() : new ArrayList<>(s.trustedProxies());
        alertPercent = s.providerQuotaAlertShare() == null ? null : s.providerQuotaAlertShare() * 100;
        alertWebhookUrl = s.alertWebhookUrl();
        autoEnablePublicFreeModels = Boolean.TRUE.equals(s.autoEnablePublicFreeModels());
        autoDetectLocalServers = Boolean.TRUE.equals(s.autoDetectLocalServers());
        consoleKeySignIn = !Boolean.FALSE.equals(s.consoleKeySignIn());
        shown = current();
        loaded = true;
    }

    private RoutingSettings current() {
        return new RoutingSettings(defaultProvider == null ? "" : defaultProvider, defaultModel == null ? "" : defaultModel,
                allowedModels == null ? List.of() : List.copyOf(allowedModels), null, conversationsEnabled,
                logRetention == null ? "" : logRetention, conversationRetention == null ? "" : conversationRetention,
                trustedProxies == null ? List.of() : List.copyOf(trustedProxies), alertPercent == null ? null : alertPercent / 100,
                alertWebhookUrl == null ? "" : alertWebhookUrl, autoEnablePublicFreeModels, autoDetectLocalServers,
                consoleKeySignIn);
    }

    private static <T> T changed(T now, T before) {
        return java.util.Objects.equals(now, before) ? null : now;
    }

    public void save() {
        RoutingSettings now = current();
        RoutingSettings before = shown == null ? new RoutingSettings(null, null, null, null, null) : shown;
        RoutingSettings update = new RoutingSettings(changed(now.defaultProvider(), before.defaultProvider()),
                changed(now.defaultModel(), before.defaultModel()), changed(now.allowedModels(), before.allowedModels()), null,
                changed(now.conversationsEnabled(), before.conversationsEnabled()),
                changed(now.logRetention(), before.logRetention()),
                changed(now.conversationRetention(), before.conversationRetention()),
                changed(now.trustedProxies(), before.trustedProxies()),
                changed(now.providerQuotaAlertShare(), before.providerQuotaAlertShare()),
                changed(now.alertWebhookUrl(), before.alertWebhookUrl()),
                changed(now.autoEnablePublicFreeModels(), before.autoEnablePublicFreeModels()),
                changed(now.autoDetectLocalServers(), before.autoDetectLocalServers()),
                changed(now.consoleKeySignIn(), before.consoleKeySignIn()));
        if (Console.attempt(() -> routing.update(Console.caller(), update), "Saved. Every node follows within seconds.") != null) {
            loaded = false;
            load();
        }
    }

    /** What is in force for single sign-on (never the secret), with the provider's discovered endpoints; empty: off. */
    public List<java.util.Map.Entry<String, String>> getSso() {
        return sso.describe().map(shown -> List.copyOf(shown.entrySet())).orElse(List.of());
    }

    public boolean isConsoleKeySignIn() {
        return consoleKeySignIn;
    }

    public void setConsoleKeySignIn(boolean consoleKeySignIn) {
        this.consoleKeySignIn = consoleKeySignIn;
    }

    public List<String> getProviderNames() {
        return Console.listOf(() -> providers.list(Console.caller())).stream().map(ProviderView::name).toList();
    }

    public String getDefaultProvider() {
        return defaultProvider;
    }

    public void setDefaultProvider(String defaultProvider) {
        this.defaultProvider = defaultProvider;
    }

    public String getDefaultModel() {
        return defaultModel;
    }

    public void setDefaultModel(String defaultModel) {
        this.defaultModel = defaultModel;
    }

    public List<String> getAllowedModels() {
        return allowedModels;
    }

    public void setAllowedModels(List<String> allowedModels) {
        this.allowedModels = allowedModels;
    }

    public boolean isConversationsEnabled() {
        return conversationsEnabled;
    }

    public void setConversationsEnabled(boolean conversationsEnabled) {
        this.conversationsEnabled = conversationsEnabled;
    }

    public String getConversationRetention() {
        return conversationRetention;
    }

    public void setConversationRetention(String conversationRetention) {
        this.conversationRetention = conversationRetention;
    }

    public String getLogRetention() {
        return logRetention;
    }

    public void setLogRetention(String logRetention) {
        this.logRetention = logRetention;
    }

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public Double getAlertPercent() {
        return alertPercent;
    }

    public void setAlertPercent(Double alertPercent) {
        this.alertPercent = alertPercent;
    }

    public String getAlertWebhookUrl() {
        return alertWebhookUrl;
    }

    public void setAlertWebhookUrl(String alertWebhookUrl) {
        this.alertWebhookUrl = alertWebhookUrl;
    }

    public boolean isAutoEnablePublicFreeModels() {
        return autoEnablePublicFreeModels;
    }

    public void setAutoEnablePublicFreeModels(boolean autoEnablePublicFreeModels) {
        this.autoEnablePublicFreeModels = autoEnablePublicFreeModels;
    }

    public boolean isAutoDetectLocalServers() {
        return autoDetectLocalServers;
    }

    public void setAutoDetectLocalServers(boolean autoDetectLocalServers) {
        this.autoDetectLocalServers = autoDetectLocalServers;
    }
}
