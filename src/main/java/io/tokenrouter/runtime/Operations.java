package io.tokenrouter.runtime;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.AddressRanges;
import io.tokenrouter.config.Durations;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.Setting;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The operational settings admins may change for the whole cluster at run time (stored in the settings
 * table, so every node follows within {@code route_refresh_interval}); a setting nobody changed keeps its
 * value from {@code tokenrouter.toml} or the environment.
 */
public record Operations(Duration logRetention, Duration conversationRetention, List<String> trustedProxies,
                         double providerQuotaAlertShare, Optional<String> alertWebhookUrl,
                         boolean autoEnablePublicFreeModels, boolean autoDetectLocalServers,
                         boolean consoleKeySignIn) {

    private static final Logger LOG = Logger.getLogger(Operations.class.getName());
    static final Duration MIN_RETENTION = Duration.ofHours(1);
    static final Duration MAX_RETENTION = Duration.ofDays(3650);

    public Operations {
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** The file's values. */
    public static Operations of(GatewaySettings file) {
        return new Operations(file.logRetention(), file.conversationRetention(), file.trustedProxies(),
                file.providerQuotaAlertShare(), file.alertWebhookUrl(), file.autoEnablePublicFreeModels(),
                file.autoDetectLocalServers(), file.consoleKeySignIn());
    }

    /** The stored values over the file's; a stored value that no longer passes validation is ignored and logged. */
    public static Operations of(Map<String, String> stored, GatewaySettings file) {
        Operations base = of(file);
        return new Operations(
                stored(stored, Setting.LOG_RETENTION, v -> retention(Setting.LOG_RETENTION, v), base.logRetention),
                stored(stored, Setting.CONVERSATION_RETENTION, v -> retention(Setting.CONVERSATION_RETENTION, v),
                        base.conversationRetention),
                stored(stored, Setting.TRUSTED_PROXIES, Operations::proxies, base.trustedProxies),
                stored(stored, Setting.PROVIDER_QUOTA_ALERT_SHARE, Operations::share, base.providerQuotaAlertShare),
                stored.containsKey(Setting.ALERT_WEBHOOK_URL)
                        ? stored(stored, Setting.ALERT_WEBHOOK_URL, v -> Optional.of(webhook(v)), base.alertWebhookUrl)
                        : base.alertWebhookUrl,
                stored(stored, Setting.AUTO_ENABLE_PUBLIC_FREE_MODELS, Boolean::parseBoolean, base.autoEnablePublicFreeModels),
                stored(stored, Setting.AUTO_DETECT_LOCAL_SERVERS, Boolean::parseBoolean, base.autoDetectLocalServers),
                stored(stored, Setting.CONSOLE_KEY_SIGN_IN, Boolean::parseBoolean, base.consoleKeySignIn));
    }

    private static <T> T stored(Map<String, String> stored, String name, java.util.function.Function<String, T> parse, T fallback) {
        String value = stored.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return parse.apply(value);
        } catch (GatewayException e) {
            LOG.warning("Ignoring the stored setting " + name + ": " + e.getMessage());
            return fallback;
        }
    }

    public static Duration retention(String name, String text) {
        Duration d;
        try {
            d = Durations.parse(name, text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw GatewayException.invalidRequest(name, name + " must be a duration such as 12h, 30d or 365d.");
        }
        if (d.compareTo(MIN_RETENTION) < 0 || d.compareTo(MAX_RETENTION) > 0) {
            throw GatewayException.invalidRequest(name, name + " must be between 1h and 3650d.");
        }
        return d;
    }

    static List<String> proxies(String csv) {
        List<String> entries = csv == null || csv.isBlank() ? List.of()
                : Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return proxies(entries);
    }

    public static List<String> proxies(List<String> entries) {
        if (entries.size() > 100) {
            throw GatewayException.invalidRequest(Setting.TRUSTED_PROXIES, "At most 100 trusted proxies.");
        }
        try {
            AddressRanges.parseAll(entries);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest(Setting.TRUSTED_PROXIES, e.getMessage() + ".");
        }
        return entries.stream().map(String::trim).toList();
    }

    static double share(String text) {
        double share;
        try {
            share = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            share = Double.NaN;
        }
        return share(share);
    }

    public static double share(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw GatewayException.invalidRequest(Setting.PROVIDER_QUOTA_ALERT_SHARE,
                    "provider_quota_alert_share must be a share between 0 and 1 (0.1 alerts below 10 % left).");
        }
        return share;
    }

    public static String webhook(String url) {
        String u = url.trim();
        try {
            URI uri = URI.create(u);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null && u.length() <= 2000) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw GatewayException.invalidRequest(Setting.ALERT_WEBHOOK_URL, "alert_webhook_url must be an http or https URL.");
    }
}
