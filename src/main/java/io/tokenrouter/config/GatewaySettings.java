package io.tokenrouter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's start-up configuration: read once from system properties, environment variables,
 * {@code $TOKENROUTER_HOME/tokenrouter.toml} and defaults, validated, and immutable afterwards. Setting
 * names follow the TOML keys; see {@code config-samples/tokenrouter.toml}.
 */
public final class GatewaySettings {

    public static final String TOML_FILE = "tokenrouter.toml";
    public static final String JNDI_DATASOURCE = "java:comp/env/jdbc/tokenrouter";

    private final Path home;
    private final Optional<String> databaseJndi;
    private final Optional<String> databaseUrl;
    private final Optional<String> databaseUser;
    private final Optional<String> databasePassword;
    private final Optional<String> adminKey;
    private final Optional<String> adminPassword;
    private final Optional<String> secretKey;
    private final Optional<String> defaultProvider;
    private final Optional<String> defaultModel;
    private final Optional<String> activeModelProfile;
    private final List<String> allowedModels;
    private final List<ProviderSettings> providers;
    private final List<AliasSettings> aliases;
    private final long maxBodyBytes;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration requestDeadline;
    private final int cooldownFailures;
    private final Duration cooldownWindow;
    private final Duration cooldown;
    private final Duration cooldownMax;
    private final Duration keyCacheTtl;
    private final Duration routeRefreshInterval;
    private final Duration modelRefreshInterval;
    private final Duration temporaryKeyGrace;
    private final Duration sessionTtl;
    private final int consoleMaxSessions;
    private final long defaultMaxTokens;
    private final long maxReservedCompletionTokens;
    private final int usageQueueCapacity;
    private final boolean usageSynchronousCommit;
    private final List<String> trustedProxies;
    private final String trustedProxyHeader;
    private final Optional<String> metricsToken;
    private final Duration logRetention;
    private final Duration rollupRetention;
    private final Duration conversationRetention;
    private final Duration eventRetention;
    private final int conversationMaxBytes;
    private final double providerQuotaAlertShare;
    private final List<Integer> budgetAlertThresholds;
    private final Optional<String> alertWebhookUrl;

    private GatewaySettings(Path home, SettingsSource source) {
        this.home = home;
        this.databaseJndi = source.get("database_jndi");
        this.databaseUrl = source.get("database_url");
        this.databaseUser = source.get("database_user");
        this.databasePassword = source.get("database_password");
        this.adminKey = source.get("admin_key");
        this.adminPassword = source.get("admin_password");
        this.secretKey = source.get("secret_key");
        this.defaultProvider = source.get("default_provider");
        this.defaultModel = source.get("default_model");
        this.activeModelProfile = source.get("active_model_profile");
        this.allowedModels = source.list("allowed_models").orElse(List.of());
        this.maxBodyBytes = parseLong(source, "max_body_bytes", 32L * 1024 * 1024);
        this.connectTimeout = duration(source, "connect_timeout", Duration.ofSeconds(10));
        this.readTimeout = duration(source, "read_timeout", Duration.ofSeconds(300));
        this.requestDeadline = duration(source, "request_deadline", Duration.ofSeconds(300));
        this.cooldownFailures = (int) parseLong(source, "cooldown_failures", 3);
        this.cooldownWindow = duration(source, "cooldown_window", Duration.ofSeconds(30));
        this.cooldown = duration(source, "cooldown", Duration.ofSeconds(10));
        this.cooldownMax = duration(source, "cooldown_max", Duration.ofMinutes(5));
        this.keyCacheTtl = duration(source, "key_cache_ttl", Duration.ofSeconds(5));
        this.routeRefreshInterval = duration(source, "route_refresh_interval", Duration.ofSeconds(5));
        this.modelRefreshInterval = duration(source, "model_refresh_interval", Duration.ofMinutes(30));
        this.temporaryKeyGrace = duration(source, "temporary_key_grace", Duration.ofHours(1));
        this.sessionTtl = duration(source, "session_ttl", Duration.ofHours(12));
        this.consoleMaxSessions = (int) Math.min(Integer.MAX_VALUE, parseLong(source, "console_max_sessions", 1000));
        this.defaultMaxTokens = parseLong(source, "default_max_tokens", 4096);
        this.maxReservedCompletionTokens = parseLong(source, "max_reserved_completion_tokens", 262_144);
        this.usageQueueCapacity = (int) parseLong(source, "usage_queue_capacity", 100_000);
        this.usageSynchronousCommit = flag(source, "usage_synchronous_commit", false);
        this.trustedProxies = source.list("trusted_proxies").orElse(List.of());
        this.trustedProxyHeader = source.get("trusted_proxy_header").orElse("X-Forwarded-For");
        this.metricsToken = source.get("metrics_token");
        this.logRetention = duration(source, "log_retention", Duration.ofDays(90));
        this.rollupRetention = duration(source, "rollup_retention", Duration.ofDays(400));
        this.conversationRetention = duration(source, "conversation_retention", Duration.ofDays(30));
        this.eventRetention = duration(source, "event_retention", Duration.ofDays(90));
        this.conversationMaxBytes = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
                parseLong(source, "conversation_max_bytes", 256 * 1024)));
        this.providerQuotaAlertShare = Double.parseDouble(source.get("provider_quota_alert_share").orElse("0.1"));
        this.alertWebhookUrl = source.get("alert_webhook_url");
        this.budgetAlertThresholds = percentages("budget_alert_thresholds",
                source.get("budget_alert_thresholds").orElse("50,80,100"));
        this.providers = readProviders(source);
        this.aliases = readAliases(source.tomlSection("model_aliases"));
    }

    /** Reads the settings of this JVM: its system properties, its environment and the TOML file in home. */
    public static GatewaySettings load() {
        return load(toMap(System.getProperties()), System.getenv());
    }

    public static GatewaySettings load(Map<String, String> properties, Map<String, String> environment) {
        Path home = resolveHome(properties, environment);
        JsonNode toml = readToml(home.resolve(TOML_FILE));
        GatewaySettings settings = new GatewaySettings(home, new SettingsSource(properties, environment, toml));
        settings.validate();
        return settings;
    }

    private static Path resolveHome(Map<String, String> properties, Map<String, String> environment) {
        String home = properties.get("tokenrouter.home");
        if (home == null || home.isBlank()) {
            home = environment.get("TOKENROUTER_HOME");
        }
        if (home == null || home.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".tokenrouter");
        }
        return Path.of(home);
    }

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

    private void validate() {
        if (conversationMaxBytes < 1 || conversationMaxBytes > 1_000_000) {
            // the conversations table holds at most 1,000,000 characters of each side
            throw new IllegalStateException("conversation_max_bytes must be 1 to 1000000, not " + conversationMaxBytes);
        }
        if (consoleMaxSessions < 1) {
            throw new IllegalStateException("console_max_sessions must be at least 1, not " + consoleMaxSessions);
        }
        if (usageQueueCapacity < 1) {
            throw new IllegalStateException("usage_queue_capacity must be at least 1");
        }
        if (cooldownFailures < 1 || cooldownFailures > 1000) {
            throw new IllegalStateException("cooldown_failures must be 1 to 1000");
        }
        for (Map.Entry<String, Duration> d : Map.of("request_deadline", requestDeadline, "cooldown_window", cooldownWindow,
                "cooldown", cooldown, "cooldown_max", cooldownMax).entrySet()) {
            if (d.getValue().isZero() || d.getValue().isNegative()) {
                throw new IllegalStateException(d.getKey() + " must be positive");
            }
        }
        if (providerQuotaAlertShare < 0 || providerQuotaAlertShare > 1) {
            throw new IllegalStateException("provider_quota_alert_share must be between 0 and 1");
        }
        if (defaultMaxTokens < 1 || maxReservedCompletionTokens < defaultMaxTokens) {
            throw new IllegalStateException("default_max_tokens must be at least 1 and at most"
                    + " max_reserved_completion_tokens (" + defaultMaxTokens + " > " + maxReservedCompletionTokens + ")");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalStateException("max_body_bytes must be at least 1024, not " + maxBodyBytes);
        }
        databaseUrl.filter(url -> !DatabaseUrls.isSupported(url)).ifPresent(url -> {
            throw new IllegalStateException("database_url must start with jdbc:, postgres:// or postgresql://");
        });
        adminKey.filter(key -> key.length() < 16).ifPresent(key -> {
            throw new IllegalStateException("admin_key must be at least 16 characters long");
        });
        for (ProviderSettings p : providers) {
            if (p.name() == null || !p.name().matches("[A-Za-z0-9._-]+")) {
                throw new IllegalStateException("providers.name must be letters, digits, '.', '_' or '-', not '"
                        + p.name() + "'");
            }
            if (p.baseUrl() == null && p.preset() == null) {
                throw new IllegalStateException("provider '" + p.name() + "' needs base_url or preset");
            }
        }
        for (AliasSettings a : aliases) {
            if (a.name() == null || a.targets().isEmpty()) {
                throw new IllegalStateException("model_aliases entries need a name and at least one target");
            }
            for (AliasSettings.Target t : a.targets()) {
                if (t.order() != null && (t.order() < 1 || t.order() > 100)) {
                    throw new IllegalStateException("model_aliases.targets.order of alias '" + a.name()
                            + "' must be 1 to 100 (1 is tried first), not " + t.order());
                }
                if (t.weight() != null && (t.weight() < 1 || t.weight() > 1000)) {
                    throw new IllegalStateException("model_aliases.targets.weight of alias '" + a.name()
                            + "' must be 1 to 1000, not " + t.weight());
                }
            }
        }
    }

    private List<ProviderSettings> readProviders(SettingsSource source) {
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

    private static List<AliasSettings> readAliases(JsonNode section) {
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

    private static Duration duration(SettingsSource source, String key, Duration fallback) {
        return source.get(key).map(text -> Durations.parse(key, text)).orElse(fallback);
    }

    private static boolean flag(SettingsSource source, String key, boolean fallback) {
        return source.get(key).map(text -> switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
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

    private static long parseLong(SettingsSource source, String key, long fallback) {
        try {
            return source.get(key).map(Long::parseLong).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a whole number", e);
        }
    }

    private static Map<String, String> toMap(java.util.Properties properties) {
        Map<String, String> map = new java.util.HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    public Path home() {
        return home;
    }

    /**
     * The JNDI name of the container DataSource the deployment must use; when set and not found, the
     * deployment stops. Unset, {@value #JNDI_DATASOURCE} is used if the container binds it.
     */
    public Optional<String> databaseJndi() {
        return databaseJndi;
    }

    public Optional<String> databaseUrl() {
        return databaseUrl;
    }

    public Optional<String> databaseUser() {
        return databaseUser;
    }

    public Optional<String> databasePassword() {
        return databasePassword;
    }

    public Optional<String> adminKey() {
        return adminKey;
    }

    public Optional<String> adminPassword() {
        return adminPassword;
    }

    public Optional<String> secretKey() {
        return secretKey;
    }

    public Optional<String> defaultProvider() {
        return defaultProvider;
    }

    public Optional<String> defaultModel() {
        return defaultModel;
    }

    public Optional<String> activeModelProfile() {
        return activeModelProfile;
    }

    public List<String> allowedModels() {
        return allowedModels;
    }

    public List<ProviderSettings> providers() {
        return providers;
    }

    public List<AliasSettings> aliases() {
        return aliases;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Failures within {@link #cooldownWindow} after which a target cools down. */
    public int cooldownFailures() {
        return cooldownFailures;
    }

    public Duration cooldownWindow() {
        return cooldownWindow;
    }

    /** The first cool-down of a target without Retry-After; each one in a row doubles it. */
    public Duration cooldown() {
        return cooldown;
    }

    /** The longest cool-down, Retry-After included. */
    public Duration cooldownMax() {
        return cooldownMax;
    }

    /** How long after a request arrived its attempts may still wait for an answer or start on another target. */
    public Duration requestDeadline() {
        return requestDeadline;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public Duration keyCacheTtl() {
        return keyCacheTtl;
    }

    public Duration routeRefreshInterval() {
        return routeRefreshInterval;
    }

    public Duration modelRefreshInterval() {
        return modelRefreshInterval;
    }

    public Duration temporaryKeyGrace() {
        return temporaryKeyGrace;
    }

    /** How long a console or API session lasts after signing in (never beyond its key's expiry). */
    public Duration sessionTtl() {
        return sessionTtl;
    }

    /** How many signed-in console sessions one node holds at most; sign-ins beyond are refused until some end. */
    public int consoleMaxSessions() {
        return consoleMaxSessions;
    }

    public int usageQueueCapacity() {
        return usageQueueCapacity;
    }

    /**
     * On PostgreSQL, whether the request log's transactions wait for their WAL to reach the disk
     * ({@code synchronous_commit}); by default they commit asynchronously: see the README.
     */
    public boolean usageSynchronousCommit() {
        return usageSynchronousCommit;
    }

    /** Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For / Forwarded headers are believed. */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** The forwarding header the trusted proxies write: {@code X-Forwarded-For} (default) or {@code Forwarded}. */
    public String trustedProxyHeader() {
        return trustedProxyHeader;
    }

    public Optional<String> metricsToken() {
        return metricsToken;
    }

    public Duration logRetention() {
        return logRetention;
    }

    public Duration rollupRetention() {
        return rollupRetention;
    }

    public Duration conversationRetention() {
        return conversationRetention;
    }

    public Duration eventRetention() {
        return eventRetention;
    }

    public int conversationMaxBytes() {
        return conversationMaxBytes;
    }

    /** Below this share of a provider's limit left, the provider's quota is flagged low and an alert raised. */
    /** The shares of a budget (percent) at which an alert fires, once each per budget and window. */
    public List<Integer> budgetAlertThresholds() {
        return budgetAlertThresholds;
    }

    public double providerQuotaAlertShare() {
        return providerQuotaAlertShare;
    }

    public Optional<String> alertWebhookUrl() {
        return alertWebhookUrl;
    }

    /** Completion tokens reserved against token quotas when a request sets no maximum. */
    public long defaultMaxTokens() {
        return defaultMaxTokens;
    }

    /**
     * The most completion tokens one choice of a request reserves against token quotas, whatever the
     * request's own maximum says; usage beyond a reservation is still charged when the request settles.
     */
    public long maxReservedCompletionTokens() {
        return maxReservedCompletionTokens;
    }

}
