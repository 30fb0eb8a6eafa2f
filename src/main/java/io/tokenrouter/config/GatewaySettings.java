package io.tokenrouter.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
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
    private final Duration databaseWait;
    private final long journalMaxBytes;
    private final Path journalDirectory;
    private final boolean usageSynchronousCommit;
    private final boolean autoEnablePublicFreeModels;
    private final boolean autoDetectLocalServers;
    private final boolean consoleKeySignIn;
    private final List<String> trustedProxies;
    private final String trustedProxyHeader;
    private final Optional<String> metricsToken;
    private final Optional<java.net.URI> auditForwardUrl;
    private final Optional<String> auditForwardToken;
    private final Duration logRetention;
    private final Duration rollupRetention;
    private final Duration conversationRetention;
    private final Duration eventRetention;
    private final int conversationMaxBytes;
    private final double providerQuotaAlertShare;
    private final List<Integer> budgetAlertThresholds;
    private final Optional<String> alertWebhookUrl;
    private final Optional<SsoSettings> sso;

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
        this.maxBodyBytes = source.longValue("max_body_bytes", 32L * 1024 * 1024);
        this.connectTimeout = source.duration("connect_timeout", Duration.ofSeconds(10));
        this.readTimeout = source.duration("read_timeout", Duration.ofSeconds(300));
        this.requestDeadline = source.duration("request_deadline", Duration.ofSeconds(300));
        this.cooldownFailures = (int) source.longValue("cooldown_failures", 3);
        this.cooldownWindow = source.duration("cooldown_window", Duration.ofSeconds(30));
        this.cooldown = source.duration("cooldown", Duration.ofSeconds(10));
        this.cooldownMax = source.duration("cooldown_max", Duration.ofMinutes(5));
        this.keyCacheTtl = source.duration("key_cache_ttl", Duration.ofSeconds(5));
        this.routeRefreshInterval = source.duration("route_refresh_interval", Duration.ofSeconds(5));
        this.modelRefreshInterval = source.duration("model_refresh_interval", Duration.ofMinutes(30));
        this.temporaryKeyGrace = source.duration("temporary_key_grace", Duration.ofHours(1));
        this.sessionTtl = source.duration("session_ttl", Duration.ofHours(12));
        this.consoleMaxSessions = (int) Math.min(Integer.MAX_VALUE, source.longValue("console_max_sessions", 1000));
        this.defaultMaxTokens = source.longValue("default_max_tokens", 4096);
        this.maxReservedCompletionTokens = source.longValue("max_reserved_completion_tokens", 262_144);
        this.usageQueueCapacity = (int) source.longValue("usage_queue_capacity", 100_000);
        this.databaseWait = source.duration("database_wait", Duration.ofSeconds(2));
        this.journalMaxBytes = source.longValue("journal_max_bytes", 1L << 30);
        this.journalDirectory = source.get("journal_dir").map(Path::of).orElse(home.resolve("journal"));
        this.usageSynchronousCommit = source.flag("usage_synchronous_commit", true);
        this.autoEnablePublicFreeModels = source.flag("auto_enable_public_free_models", false);
        this.autoDetectLocalServers = source.flag("auto_detect_local_servers", true);
        this.consoleKeySignIn = source.flag("console_key_sign_in", true);
        this.trustedProxies = source.list("trusted_proxies").orElse(List.of());
        this.trustedProxyHeader = source.get("trusted_proxy_header").orElse("X-Forwarded-For");
        this.metricsToken = source.get("metrics_token");
        this.auditForwardUrl = source.get("audit_forward_url").filter(u -> !u.isBlank()).map(GatewaySettings::auditTarget);
        this.auditForwardToken = source.get("audit_forward_token").filter(t -> !t.isBlank());
        this.logRetention = source.duration("log_retention", Duration.ofDays(90));
        this.rollupRetention = source.duration("rollup_retention", Duration.ofDays(400));
        this.conversationRetention = source.duration("conversation_retention", Duration.ofDays(30));
        this.eventRetention = source.duration("event_retention", Duration.ofDays(90));
        this.conversationMaxBytes = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
                source.longValue("conversation_max_bytes", 256 * 1024)));
        this.providerQuotaAlertShare = Double.parseDouble(source.get("provider_quota_alert_share").orElse("0.1"));
        this.alertWebhookUrl = source.get("alert_webhook_url");
        this.budgetAlertThresholds = SettingsSource.percentages("budget_alert_thresholds",
                source.get("budget_alert_thresholds").orElse("50,80,100"));
        this.providers = TomlTables.providers(source);
        this.aliases = TomlTables.aliases(source.tomlSection("model_aliases"));
        this.sso = SsoSettings.read(source.section("sso"));
    }

    /** Reads the settings of this JVM: its system properties, its environment and the TOML file in home. */
    public static GatewaySettings load() {
        return load(toMap(System.getProperties()), System.getenv());
    }

    public static GatewaySettings load(Map<String, String> properties, Map<String, String> environment) {
        Path home = SettingsSource.home(properties, environment);
        JsonNode toml = SettingsSource.readToml(home.resolve(TOML_FILE));
        GatewaySettings settings = new GatewaySettings(home, new SettingsSource(properties, environment, toml));
        settings.validate();
        return settings;
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
        if (databaseWait.compareTo(Duration.ofMillis(250)) < 0 || databaseWait.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalStateException("database_wait must be 250ms to 1m, not " + databaseWait);
        }
        if (journalMaxBytes < 1 << 20) {
            throw new IllegalStateException("journal_max_bytes must be at least 1048576 (1 MiB), not " + journalMaxBytes);
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

    /** The longest anything waits for a database connection before it is told the database is unavailable. */
    public Duration databaseWait() {
        return databaseWait;
    }

    /** The most the node's journal may hold on disk (records the database has not stored yet). */
    public long journalMaxBytes() {
        return journalMaxBytes;
    }

    /** Where the node journals request-log rows until the database stores them ({@code journal_dir}). */
    public Path journalDirectory() {
        return journalDirectory;
    }

    public int usageQueueCapacity() {
        return usageQueueCapacity;
    }

    /**
     * On PostgreSQL, whether the request log's transactions wait for their WAL to reach the disk
     * ({@code synchronous_commit}); by default they do: see the README.
     */
    public boolean usageSynchronousCommit() {
        return usageSynchronousCommit;
    }

    /**
     * Whether providers of public free models that need no key (OpenCode Zen) are added by themselves; off by
     * default: requests would leave the organisation for a provider nobody chose. Changeable at run time.
     */
    public boolean autoEnablePublicFreeModels() {
        return autoEnablePublicFreeModels;
    }

    /**
     * Whether the console (and {@code POST /api/session}) accepts keys and the admin password; off, only single
     * sign-on and the configured {@code admin_key} (break-glass) sign in.
     */
    public boolean consoleKeySignIn() {
        return consoleKeySignIn;
    }

    /** Whether each node looks for Ollama, LM Studio, vLLM and llama.cpp on its own host; changeable at run time. */
    public boolean autoDetectLocalServers() {
        return autoDetectLocalServers;
    }

    /** Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For / Forwarded headers are believed. */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** The forwarding header the trusted proxies write: {@code X-Forwarded-For} (default) or {@code Forwarded}. */
    public String trustedProxyHeader() {
        return trustedProxyHeader;
    }

    /** Single sign-on through OpenID Connect, when configured. */
    public Optional<SsoSettings> sso() {
        return sso;
    }

    public Optional<String> metricsToken() {
        return metricsToken;
    }

    /**
     * Where audit entries are sent as they are written, if anywhere: {@code http(s)://…} (JSON Lines posted), or
     * {@code syslog+udp://}, {@code syslog+tcp://} or {@code syslog+tls://host:port} (RFC 5424).
     */
    public Optional<java.net.URI> auditForwardUrl() {
        return auditForwardUrl;
    }

    /** The bearer token sent with audit entries posted over HTTP. */
    public Optional<String> auditForwardToken() {
        return auditForwardToken;
    }

    private static java.net.URI auditTarget(String url) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(url.trim());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("audit_forward_url is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean http = scheme.equals("http") || scheme.equals("https");
        boolean syslog = scheme.equals("syslog+udp") || scheme.equals("syslog+tcp") || scheme.equals("syslog+tls");
        if (!(http || syslog) || uri.getHost() == null || (syslog && uri.getPort() < 0)) {
            throw new IllegalStateException("audit_forward_url must be an http(s) URL or syslog+udp://, syslog+tcp:// or"
                    + " syslog+tls://host:port, not " + url);
        }
        return uri;
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
