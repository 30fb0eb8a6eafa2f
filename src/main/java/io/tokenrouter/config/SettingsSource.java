package io.tokenrouter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private final boolean seedNames;

    SettingsSource(Map<String, String> properties, Map<String, String> environment, JsonNode toml) {
        this(properties, environment, toml, true);
    }

    private SettingsSource(Map<String, String> properties, Map<String, String> environment, JsonNode toml,
                           boolean seedNames) {
        this.properties = properties;
        this.environment = environment;
        this.toml = toml == null ? MissingNode.getInstance() : toml;
        this.seedNames = seedNames;
    }

    /** {@code tokenrouter.home}, then {@code TOKENROUTER_HOME}, then {@code ~/.tokenrouter}. */
    static Path home(Map<String, String> properties, Map<String, String> environment) {
        String home = properties.get("tokenrouter.home");
        if (home == null || home.isBlank()) {
            home = environment.get("TOKENROUTER_HOME");
        }
        if (home == null || home.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".tokenrouter");
        }
        return Path.of(home);
    }

    /** The TOML file, or null when there is none. */
    static JsonNode readToml(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new TomlMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    Optional<String> get(String key) {
        String value = properties.get("tokenrouter." + key);
        if (isBlank(value)) {
            value = environment.get("TOKENROUTER_" + key.toUpperCase(Locale.ROOT));
        }
        if (isBlank(value) && seedNames && SEED_VARIABLES.containsKey(key)) {
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

    /** A duration ("30s", "5m", "1h", "7d"), or {@code fallback} when unset. */
    Duration duration(String key, Duration fallback) {
        return get(key).map(text -> Durations.parse(key, text)).orElse(fallback);
    }

    /** true or false, or {@code fallback} when unset. */
    boolean flag(String key, boolean fallback) {
        return get(key).map(text -> switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalStateException(key + " must be true or false, not '" + text + "'");
        }).orElse(fallback);
    }

    /** "50, 80, 100": whole percentages from 1 to 100, in ascending order without repeats; "" for none. */
    static List<Integer> percentages(String key, String text) {
        java.util.TreeSet<Integer> values = new java.util.TreeSet<>();
        for (String part : text.replaceAll("[\\[\\]\\s]", "").split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                int value = Integer.parseInt(part);
                if (value >= 1 && value <= 100) {
                    values.add(value);
                    continue;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalStateException(key + " must list whole percentages from 1 to 100 (such as \"50,80,100\"),"
                    + " not '" + part + "'");
        }
        return List.copyOf(values);
    }

    /** A whole number, or {@code fallback} when unset. */
    long longValue(String key, long fallback) {
        try {
            return get(key).map(Long::parseLong).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a whole number", e);
        }
    }

    /**
     * The settings of one table, {@code [name]}: {@code tokenrouter.<name>.<key>} properties, then
     * {@code TOKENROUTER_<NAME>_<KEY>} variables, then the table's own keys.
     */
    SettingsSource section(String name) {
        String property = "tokenrouter." + name + ".";
        String variable = "TOKENROUTER_" + name.toUpperCase(Locale.ROOT) + "_";
        Map<String, String> ownProperties = new java.util.HashMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith(property)) {
                ownProperties.put("tokenrouter." + k.substring(property.length()), v);
            }
        });
        Map<String, String> ownVariables = new java.util.HashMap<>();
        environment.forEach((k, v) -> {
            if (k.startsWith(variable)) {
                ownVariables.put("TOKENROUTER_" + k.substring(variable.length()), v);
            }
        });
        JsonNode table = toml.get(name);
        if (table != null && !table.isNull() && !table.isObject()) {
            throw new IllegalStateException(name + " must be a table ([" + name + "])");
        }
        return new SettingsSource(ownProperties, ownVariables, table, false);
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
