package io.tokenrouter.observe;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes secrets from captured conversations before they are stored: API keys of common providers and
 * of TokenRouter itself, bearer tokens, cloud access keys, and the values of JSON fields named like
 * secrets.
 */
public final class Redaction {

    public static final String MARK = "[REDACTED]";

    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("\\b(sk|rk|pk)-(?:proj-|ant-|or-v1-)?[A-Za-z0-9_-]{16,}"),
            Pattern.compile("\\btr-[A-Za-z0-9_-]{20,}"),
            Pattern.compile("\\bgsk_[A-Za-z0-9]{20,}"),
            Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"),
            Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{30,}"),
            Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{10,}"),
            Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}"),
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"));
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}");
    private static final String SECRET_NAMES =
            "(?:api[_-]?key|authorization|password|passwd|secret|client_secret|access[_-]?token|token)";
    private static final Pattern SECRET_FIELDS = Pattern.compile(
            "(?i)(\"" + SECRET_NAMES + "\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*(\")");
    /** The same fields inside a JSON string (a config pasted into a message), where their quotes are escaped. */
    private static final Pattern ESCAPED_SECRET_FIELDS = Pattern.compile(
            "(?i)(\\\\\"" + SECRET_NAMES + "\\\\\"\\s*:\\s*\\\\\")(?:[^\\\\]|\\\\(?!\"))*(\\\\\")");

    private Redaction() {
    }

    /**
     * A URL fit for a log line: scheme, host and port only; user info, path and query are where webhook
     * URLs (Slack's, for one) and database URLs carry their secrets.
     */
    public static String url(String url) {
        try {
            java.net.URI uri = new java.net.URI(url);
            if (uri.getHost() == null) {
                return "(a URL without a host)";
            }
            boolean more = (uri.getRawPath() != null && uri.getRawPath().length() > 1) || uri.getRawQuery() != null;
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (more ? "/…" : "");
        } catch (java.net.URISyntaxException e) {
            return "(an unreadable URL)";
        }
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = SECRET_FIELDS.matcher(text).replaceAll("$1" + MARK + "$2");
        result = ESCAPED_SECRET_FIELDS.matcher(result).replaceAll("$1" + MARK + "$2");
        result = BEARER.matcher(result).replaceAll("$1" + MARK);
        for (Pattern p : SECRETS) {
            result = p.matcher(result).replaceAll(MARK);
        }
        return result;
    }
}
