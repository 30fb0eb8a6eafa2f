package io.tokenrouter.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The file's tables: {@code [[providers]]} (with their key pools, or the seeds' single {@code provider_base_url}
 * and {@code provider_api_key} when the file lists none) and {@code [[model_aliases]]} with their targets, read
 * into settings; a value of the wrong kind is refused naming the field.
 */
final class TomlTables {

    private TomlTables() {
    }

    static List<ProviderSettings> providers(SettingsSource source) {
        List<ProviderSettings> result = new ArrayList<>();
        for (JsonNode p : source.tomlSection("providers")) {
            result.add(new ProviderSettings(text(p, "name"), text(p, "preset"), text(p, "base_url"),
                    text(p, "api_key"), !p.has("enabled") || p.get("enabled").asBoolean(),
                    optionalDuration(p, "connect_timeout"), optionalDuration(p, "read_timeout"), poolKeys(p),
                    optionalFlag(p, "forward_unlisted_models")));
        }
        Optional<String> seedBaseUrl = source.get("provider_base_url");
        Optional<String> seedKey = source.get("provider_api_key");
        if (result.isEmpty() && (seedBaseUrl.isPresent() || seedKey.isPresent())) {
            result.add(new ProviderSettings("default", seedBaseUrl.isPresent() ? null : "poe",
                    seedBaseUrl.orElse(null), seedKey.orElse(null), true, null, null));
        }
        return List.copyOf(result);
    }

    static List<AliasSettings> aliases(JsonNode section) {
        List<AliasSettings> result = new ArrayList<>();
        for (JsonNode a : section) {
            List<AliasSettings.Target> targets = new ArrayList<>();
            for (JsonNode t : a.path("targets")) {
                targets.add(new AliasSettings.Target(text(t, "profile"), text(t, "provider"), text(t, "model"),
                        optionalInt(t, "order"), optionalInt(t, "weight")));
            }
            result.add(new AliasSettings(text(a, "name"), List.copyOf(targets)));
        }
        return List.copyOf(result);
    }

    /** {@code api_keys = ["sk-1", {key = "sk-2", weight = 3}]}, or null when not given. */
    private static List<ProviderSettings.PoolKey> poolKeys(JsonNode provider) {
        JsonNode keys = provider.get("api_keys");
        if (keys == null || keys.isNull()) {
            return null;
        }
        if (!keys.isArray()) {
            throw new IllegalStateException("providers.api_keys must be a list of keys");
        }
        List<ProviderSettings.PoolKey> result = new ArrayList<>();
        for (JsonNode k : keys) {
            if (k.isTextual()) {
                result.add(new ProviderSettings.PoolKey(k.asText(), 1));
            } else if (k.isObject() && k.path("key").isTextual()) {
                JsonNode weight = k.get("weight");
                if (weight != null && !weight.isIntegralNumber()) {
                    throw new IllegalStateException("providers.api_keys weight must be a whole number");
                }
                result.add(new ProviderSettings.PoolKey(k.path("key").asText(), weight == null ? 1 : weight.intValue()));
            } else {
                throw new IllegalStateException("providers.api_keys entries are keys or {key = \"…\", weight = N}");
            }
        }
        return List.copyOf(result);
    }

    private static Boolean optionalFlag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw new IllegalStateException("providers." + field + " must be true or false");
        }
        return value.asBoolean();
    }

    private static Integer optionalInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalStateException("model_aliases.targets." + field + " must be a whole number, not " + value);
        }
        return value.intValue();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText().trim();
    }

    private static Duration optionalDuration(JsonNode node, String field) {
        String text = text(node, field);
        return text == null ? null : Durations.parse(field, text);
    }
}
