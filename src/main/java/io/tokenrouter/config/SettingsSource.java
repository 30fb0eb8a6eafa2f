package io.tokenrouter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Looks a setting up in the configured order: system property {@code tokenrouter.<key>}, environment
 * variable {@code TOKENROUTER_<KEY>} (then the seeds' own variable names, such as
 * {@code DEFAULT_MODEL}), then the TOML file's top-level key.
 */
final class SettingsSource {

    /** The Python seed's variable names, accepted as they are. */
    private static final Map<String, String> SEED_VARIABLES = Map.of(
            "provider_api_key", "PROVIDER_API_KEY",
            "provider_base_url", "PROVIDER_BASE_URL",
            "default_model", "DEFAULT_MODEL",
            "allowed_models", "ALLOWED_MODELS",
            "admin_password", "ADMIN_PASSWORD",
            "database_url", "DATABASE_URL");

    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final JsonNode toml;

    SettingsSource(Map<String, String> properties, Map<String, String> environment, JsonNode toml) {
        this.properties = properties;
        this.environment = environment;
        this.toml = toml == null ? MissingNode.getInstance() : toml;
    }

    Optional<String> get(String key) {
        String value = properties.get("tokenrouter." + key);
        if (isBlank(value)) {
            value = environment.get("TOKENROUTER_" + key.toUpperCase(Locale.ROOT));
        }
        if (isBlank(value) && SEED_VARIABLES.containsKey(key)) {
            value = environment.get(SEED_VARIABLES.get(key));
        }
        if (isBlank(value)) {
            JsonNode node = toml.get(key);
            value = node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
        }
        return isBlank(value) ? Optional.empty() : Optional.of(value.trim());
    }

    /** A list setting: comma-separated text in properties and variables, a TOML array or text in the file. */
    Optional<List<String>> list(String key) {
        JsonNode node = toml.get(key);
        Optional<String> text = get(key);
        if (text.isEmpty() && node != null && node.isArray()) {
            return Optional.of(toList(node));
        }
        return text.map(SettingsSource::split);
    }

    JsonNode tomlSection(String key) {
        JsonNode node = toml.get(key);
        return node == null ? MissingNode.getInstance() : node;
    }

    private static List<String> toList(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static List<String> split(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
