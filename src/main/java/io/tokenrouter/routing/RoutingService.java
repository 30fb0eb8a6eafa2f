package io.tokenrouter.routing;

import io.tokenrouter.runtime.RuntimeSettings;
import io.tokenrouter.runtime.Operations;
import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.Durations;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.events.Redaction;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.ModelAlias;
import io.tokenrouter.store.ModelAliasRepository;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.Setting;
import io.tokenrouter.store.SettingRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Editing aliases, profiles and routing settings at run time, by admins. Every change is stored with its
 * audit entry in one transaction, the route table of this node is rebuilt at once, and other nodes
 * follow within {@code route_refresh_interval}.
 */
@ApplicationScoped
public class RoutingService {

    @Inject
    ModelAliasRepository aliases;
    @Inject
    SettingRepository settings;
    @Inject
    Routes routes;
    @Inject
    RuntimeSettings runtimeSettings;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;
    @Inject
    GatewaySettings gatewaySettings;
    @Inject
    io.tokenrouter.access.SessionService sessions;

    public List<AliasView> aliases(Caller actor) {
        Authorization.requireAdmin(actor);
        return aliases();
    }

    public AliasView alias(Caller actor, String name) {
        Authorization.requireAdmin(actor);
        return alias(name);
    }

    /** Every profile some alias has a target for, and the active one. */
    public record Profiles(List<String> profiles, String active) {
    }

    public Profiles profiles(Caller actor) {
        Authorization.requireAdmin(actor);
        return profiles();
    }

    public RoutingSettings settings(Caller actor) {
        Authorization.requireAdmin(actor);
        return settings();
    }

    /** Makes {@code profile} the active one: every alias moves to its target for it at once. */
    public Profiles activate(Caller actor, String profile) {
        Authorization.requireAdmin(actor);
        if (profile == null || profile.isBlank()) {
            throw GatewayException.invalidRequest("profile", "profile is required.");
        }
        database.run(em -> {
            settings.store(Setting.ACTIVE_MODEL_PROFILE, profile.trim());
            audit.record(actor, "Activated model profile '" + profile.trim() + "'");
        });
        routes.rebuild();
        return profiles();
    }

    List<AliasView> aliases() {
        String active = settings.findAll().get(Setting.ACTIVE_MODEL_PROFILE);
        Map<String, List<AliasTarget>> grouped = new LinkedHashMap<>();
        for (ModelAlias a : aliases.findAll()) {
            grouped.computeIfAbsent(a.getName(), k -> new ArrayList<>())
                    .add(new AliasTarget(a.getProfile(), a.getProvider(), a.getModel(), a.getOrder(), a.getWeight()));
        }
        return grouped.entrySet().stream().map(e -> new AliasView(e.getKey(), e.getValue(),
                e.getValue().stream().filter(t -> t.profile().equals(active)).findFirst().orElse(null))).toList();
    }

    AliasView alias(String name) {
        return aliases().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> GatewayException.notFound("No alias named '" + name + "'."));
    }

    /** Sets the alias's targets: per profile one or more, with their fallback order and weight. */
    public AliasView putAlias(Caller actor, String name, List<AliasTarget> targets) {
        Authorization.requireAdmin(actor);
        if (name == null || !name.matches("[A-Za-z0-9._:-]{1,200}")) {
            throw GatewayException.invalidRequest("name", "An alias name is 1 to 200 letters, digits, '.', '_', ':' or '-'.");
        }
        if (targets == null || targets.isEmpty()) {
            throw GatewayException.invalidRequest("targets", "An alias needs at least one target.");
        }
        List<ModelAlias> rows = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            AliasTarget t = targets.get(i);
            if (t == null || blank(t.profile()) || blank(t.provider()) || blank(t.model())) {
                throw GatewayException.invalidRequest("targets[" + i + "]", "Each target needs profile, provider and model.");
            }
            if (t.order() < 1 || t.order() > AliasTarget.MAX_ORDER) {
                throw GatewayException.invalidRequest("targets[" + i + "].order", "order must be 1 to "
                        + AliasTarget.MAX_ORDER + " (1 is tried first).");
            }
            if (t.weight() < 1 || t.weight() > AliasTarget.MAX_WEIGHT) {
                throw GatewayException.invalidRequest("targets[" + i + "].weight", "weight must be 1 to "
                        + AliasTarget.MAX_WEIGHT + ".");
            }
            ModelAlias row = new ModelAlias();
            row.setName(name);
            row.setProfile(t.profile());
            row.setProvider(t.provider());
            row.setModel(t.model());
            row.setOrder(t.order());
            row.setWeight(t.weight());
            row.setSource(Provider.SOURCE_RUNTIME);
            rows.add(row);
        }
        if (rows.stream().map(r -> r.getProfile() + "\u0000" + r.getProvider() + "/" + r.getModel()).distinct().count()
                != rows.size()) {
            throw GatewayException.invalidRequest("targets", "A provider/model may appear once per profile of an alias.");
        }
        database.run(em -> {
            aliases.replace(name, rows);
            audit.record(actor, "Set alias '" + name + "' to " + String.join(", ", targets.stream().map(AliasTarget::describe).toList()));
        });
        routes.rebuild();
        return alias(name);
    }

    public void deleteAlias(Caller actor, String name) {
        Authorization.requireAdmin(actor);
        database.run(em -> {
            if (aliases.delete(name) == 0) {
                throw GatewayException.notFound("No alias named '" + name + "'.");
            }
            audit.record(actor, "Deleted alias '" + name + "'");
        });
        routes.rebuild();
    }

    Profiles profiles() {
        TreeSet<String> names = new TreeSet<>();
        aliases.findAll().forEach(a -> names.add(a.getProfile()));
        return new Profiles(List.copyOf(names), settings.findAll().get(Setting.ACTIVE_MODEL_PROFILE));
    }

    RoutingSettings settings() {
        Map<String, String> values = settings.findAll();
        Operations ops = Operations.of(values, gatewaySettings);
        String allowed = values.get(Setting.ALLOWED_MODELS);
        return new RoutingSettings(values.get(Setting.DEFAULT_PROVIDER), values.get(Setting.DEFAULT_MODEL),
                allowed == null || allowed.isBlank() ? List.of() : Arrays.stream(allowed.split(",")).map(String::trim).toList(),
                values.get(Setting.ACTIVE_MODEL_PROFILE), Boolean.parseBoolean(values.get(Setting.CONVERSATIONS_ENABLED)),
                io.tokenrouter.config.Durations.format(ops.logRetention()),
                io.tokenrouter.config.Durations.format(ops.conversationRetention()), ops.trustedProxies(),
                ops.providerQuotaAlertShare(), ops.alertWebhookUrl().orElse(null), ops.autoEnablePublicFreeModels(),
                ops.autoDetectLocalServers(), ops.consoleKeySignIn());
    }

    /** Applies the non-null fields; an empty string clears a setting. */
    public RoutingSettings update(Caller actor, RoutingSettings update) {
        Authorization.requireAdmin(actor);
        // validated before anything is stored, so a bad field changes nothing
        String logRetention = blank(update.logRetention()) ? update.logRetention()
                : Durations.format(Operations.retention(Setting.LOG_RETENTION, update.logRetention()));
        String conversationRetention = blank(update.conversationRetention()) ? update.conversationRetention()
                : Durations.format(Operations.retention(Setting.CONVERSATION_RETENTION, update.conversationRetention()));
        List<String> proxies = update.trustedProxies() == null ? null : Operations.proxies(update.trustedProxies());
        Double share = update.providerQuotaAlertShare() == null ? null : Operations.share(update.providerQuotaAlertShare());
        String webhook = blank(update.alertWebhookUrl()) ? update.alertWebhookUrl() : Operations.webhook(update.alertWebhookUrl());
        if (Boolean.FALSE.equals(update.consoleKeySignIn()) && gatewaySettings.sso().isEmpty()) {
            throw GatewayException.invalidRequest(Setting.CONSOLE_KEY_SIGN_IN, "Key and password sign-in stays on while"
                    + " single sign-on is not configured (the [sso] table of tokenrouter.toml).");
        }
        database.run(em -> {
            RoutingSettings before = settings();
            store(Setting.LOG_RETENTION, logRetention);
            store(Setting.CONVERSATION_RETENTION, conversationRetention);
            if (proxies != null) {
                settings.store(Setting.TRUSTED_PROXIES, proxies.isEmpty() ? null : String.join(",", proxies));
            }
            if (share != null) {
                settings.store(Setting.PROVIDER_QUOTA_ALERT_SHARE, share.toString());
            }
            store(Setting.ALERT_WEBHOOK_URL, webhook);
            store(Setting.DEFAULT_PROVIDER, update.defaultProvider());
            store(Setting.DEFAULT_MODEL, update.defaultModel());
            store(Setting.ACTIVE_MODEL_PROFILE, update.activeModelProfile());
            if (update.conversationsEnabled() != null) {
                settings.store(Setting.CONVERSATIONS_ENABLED, update.conversationsEnabled().toString());
            }
            if (update.autoEnablePublicFreeModels() != null) {
                settings.store(Setting.AUTO_ENABLE_PUBLIC_FREE_MODELS, update.autoEnablePublicFreeModels().toString());
            }
            if (update.autoDetectLocalServers() != null) {
                settings.store(Setting.AUTO_DETECT_LOCAL_SERVERS, update.autoDetectLocalServers().toString());
            }
            if (update.consoleKeySignIn() != null) {
                settings.store(Setting.CONSOLE_KEY_SIGN_IN, update.consoleKeySignIn().toString());
            }
            if (update.allowedModels() != null) {
                settings.store(Setting.ALLOWED_MODELS, update.allowedModels().isEmpty() ? null
                        : String.join(",", update.allowedModels()));
            }
            String changes = changes(before, settings());
            if (Boolean.FALSE.equals(update.consoleKeySignIn()) && !Boolean.FALSE.equals(before.consoleKeySignIn())) {
                // switched off: sessions opened with keys or the password end now, the break-glass admin key's aside
                changes += "; " + sessions.closeKeySessions() + " key and password session(s) ended";
            }
            audit.record(actor, changes.isEmpty() ? "Saved the settings unchanged" : "Changed settings: " + changes);
        });
        routes.rebuild();
        runtimeSettings.refresh();
        return settings();
    }

    /** The settings' names as the API and the file spell them, with how each is read from a value. */
    private static final List<Map.Entry<String, java.util.function.Function<RoutingSettings, Object>>> FIELDS = List.of(
            Map.entry("default_provider", RoutingSettings::defaultProvider),
            Map.entry("default_model", RoutingSettings::defaultModel),
            Map.entry("allowed_models", RoutingSettings::allowedModels),
            Map.entry("active_model_profile", RoutingSettings::activeModelProfile),
            Map.entry("conversations_enabled", RoutingSettings::conversationsEnabled),
            Map.entry("log_retention", RoutingSettings::logRetention),
            Map.entry("conversation_retention", RoutingSettings::conversationRetention),
            Map.entry("trusted_proxies", RoutingSettings::trustedProxies),
            Map.entry("provider_quota_alert_share", RoutingSettings::providerQuotaAlertShare),
            Map.entry("alert_webhook_url", RoutingSettings::alertWebhookUrl),
            Map.entry("auto_enable_public_free_models", RoutingSettings::autoEnablePublicFreeModels),
            Map.entry("auto_detect_local_servers", RoutingSettings::autoDetectLocalServers),
            Map.entry("console_key_sign_in", RoutingSettings::consoleKeySignIn));

    /**
     * What an update changed, for the audit trail: each setting whose value differs, old → new; the webhook
     * URL only as its scheme, host and port (its path may carry a token).
     */
    static String changes(RoutingSettings before, RoutingSettings after) {
        List<String> changed = new ArrayList<>();
        for (var field : FIELDS) {
            Object old = field.getValue().apply(before);
            Object now = field.getValue().apply(after);
            if (!java.util.Objects.equals(old, now)) {
                boolean secretPath = field.getKey().equals("alert_webhook_url");
                changed.add(field.getKey() + " " + shown(secretPath ? masked(old) : old) + " → "
                        + shown(secretPath ? masked(now) : now));
            }
        }
        return String.join(", ", changed);
    }

    private static Object masked(Object url) {
        return url == null ? null : Redaction.url(url.toString());
    }

    private static String shown(Object value) {
        if (value == null || (value instanceof List<?> list && list.isEmpty())) {
            return "(none)";
        }
        return value instanceof List<?> list ? String.join(", ", list.stream().map(String::valueOf).toList())
                : value instanceof String text ? "'" + text + "'" : value.toString();
    }

    private void store(String name, String value) {
        if (value != null) {
            settings.store(name, value.isBlank() ? null : value.trim());
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
