package io.tokenrouter.usage;

import java.util.Locale;

/** A coarse client type from the User-Agent: which SDK or tool sent the request. */
public final class ClientTypes {

    private ClientTypes() {
    }

    public static String of(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return "unknown";
        }
        String ua = userAgent.toLowerCase(Locale.ROOT);
        if (ua.contains("openai/python") || ua.contains("openai-python")) {
            return "openai-python";
        }
        if (ua.startsWith("openai/js") || ua.contains("openai-node")) {
            return "openai-node";
        }
        if (ua.startsWith("openai/java") || ua.contains("openai-java")) {
            return "openai-java";
        }
        if (ua.startsWith("openai/")) {
            return "openai-sdk";
        }
        if (ua.startsWith("claude-cli/") || ua.contains("claude-code")) {
            return "claude-code";
        }
        if (ua.startsWith("anthropic/")) {
            return ua.startsWith("anthropic/python") ? "anthropic-python" : ua.startsWith("anthropic/js") ? "anthropic-node"
                    : ua.startsWith("anthropic/java") ? "anthropic-java" : "anthropic-sdk";
        }
        if (ua.startsWith("curl/")) {
            return "curl";
        }
        if (ua.contains("codex")) {
            return "codex";
        }
        if (ua.contains("opencode")) {
            return "opencode";
        }
        if (ua.startsWith("python-requests") || ua.startsWith("python-httpx") || ua.contains("aiohttp")) {
            return "python";
        }
        if (ua.startsWith("go-http-client")) {
            return "go";
        }
        if (ua.startsWith("java-http-client") || ua.startsWith("okhttp") || ua.startsWith("apache-httpclient")) {
            return "java";
        }
        if (ua.startsWith("mozilla/")) {
            return "browser";
        }
        return "other";
    }
}
