package io.tokenrouter.routing;

import io.tokenrouter.runtime.Operations;
import java.util.List;

/**
 * The cluster-wide settings the API and the console edit: routing, conversation capture, and the operational
 * settings ({@link Operations}: retention, trusted proxies, provider-quota alerts, providers added by themselves, and
 * whether keys and the admin password sign in to the console). Null fields of an update
 * are left as they are; an empty string or list clears a stored value (back to the file's).
 */
public record RoutingSettings(String defaultProvider, String defaultModel, List<String> allowedModels,
                              String activeModelProfile, Boolean conversationsEnabled, String logRetention,
                              String conversationRetention, List<String> trustedProxies, Double providerQuotaAlertShare,
                              String alertWebhookUrl, Boolean autoEnablePublicFreeModels, Boolean autoDetectLocalServers,
                              Boolean consoleKeySignIn) {

    public RoutingSettings(String defaultProvider, String defaultModel, List<String> allowedModels,
                           String activeModelProfile, Boolean conversationsEnabled) {
        this(defaultProvider, defaultModel, allowedModels, activeModelProfile, conversationsEnabled, null, null, null,
                null, null, null, null, null);
    }
}
