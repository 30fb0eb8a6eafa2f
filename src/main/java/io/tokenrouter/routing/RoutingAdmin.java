package io.tokenrouter.routing;

import io.tokenrouter.api.GatewayException;
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
 * Editing aliases, profiles and routing settings at run time. Every change is stored, the route table
 * of this node is rebuilt at once, and other nodes follow within {@code route_refresh_interval}.
 */
@ApplicationScoped
public class RoutingAdmin {

    @Inject
    ModelAliasRepository aliases;
    @Inject
    SettingRepository settings;
    @Inject
    Routes routes;

    public List<AliasView> aliases() {
        String active = settings.findAll().get(Setting.ACTIVE_MODEL_PROFILE);
        Map<String, List<AliasTarget>> grouped = new LinkedHashMap<>();
        for (ModelAlias a : aliases.findAll()) {
            grouped.computeIfAbsent(a.getName(), k -> new ArrayList<>())
                    .add(new AliasTarget(a.getProfile(), a.getProvider(), a.getModel()));
        }
        return grouped.entrySet().stream().map(e -> new AliasView(e.getKey(), e.getValue(),
                e.getValue().stream().filter(t -> t.profile().equals(active)).findFirst().orElse(null))).toList();
    }

    public AliasView alias(String name) {
        return aliases().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> GatewayException.notFound("No alias named '" + name + "'."));
    }

    /** Sets the alias's targets, one per profile. */
    public AliasView putAlias(String name, List<AliasTarget> targets) {
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
            ModelAlias row = new ModelAlias();
            row.setName(name);
            row.setProfile(t.profile());
            row.setProvider(t.provider());
            row.setModel(t.model());
            row.setSource(Provider.SOURCE_RUNTIME);
            rows.add(row);
        }
        if (rows.stream().map(ModelAlias::getProfile).distinct().count() != rows.size()) {
            throw GatewayException.invalidRequest("targets", "Each profile may appear once per alias.");
        }
        aliases.replace(name, rows);
        routes.rebuild();
        return alias(name);
    }

    public void deleteAlias(String name) {
        if (aliases.delete(name) == 0) {
            throw GatewayException.notFound("No alias named '" + name + "'.");
        }
        routes.rebuild();
    }

    /** Every profile some alias has a target for, and the active one. */
    public Map<String, Object> profiles() {
        TreeSet<String> names = new TreeSet<>();
        aliases.findAll().forEach(a -> names.add(a.getProfile()));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("profiles", List.copyOf(names));
        result.put("active", settings.findAll().get(Setting.ACTIVE_MODEL_PROFILE));
        return result;
    }

    public RoutingSettings settings() {
        Map<String, String> values = settings.findAll();
        String allowed = values.get(Setting.ALLOWED_MODELS);
        return new RoutingSettings(values.get(Setting.DEFAULT_PROVIDER), values.get(Setting.DEFAULT_MODEL),
                allowed == null || allowed.isBlank() ? List.of() : Arrays.stream(allowed.split(",")).map(String::trim).toList(),
                values.get(Setting.ACTIVE_MODEL_PROFILE), Boolean.parseBoolean(values.get(Setting.CONVERSATIONS_ENABLED)));
    }

    /** Applies the non-null fields; an empty string clears a setting. */
    public RoutingSettings update(RoutingSettings update) {
        store(Setting.DEFAULT_PROVIDER, update.defaultProvider());
        store(Setting.DEFAULT_MODEL, update.defaultModel());
        store(Setting.ACTIVE_MODEL_PROFILE, update.activeModelProfile());
        if (update.conversationsEnabled() != null) {
            settings.store(Setting.CONVERSATIONS_ENABLED, update.conversationsEnabled().toString());
        }
        if (update.allowedModels() != null) {
            settings.store(Setting.ALLOWED_MODELS, update.allowedModels().isEmpty() ? null
                    : String.join(",", update.allowedModels()));
        }
        routes.rebuild();
        return settings();
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
