package io.tokenrouter.events;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from captured conversations before they are stored: API keys of common providers and
 * of TokenRouter itself, bearer tokens, cloud access keys, PEM private keys, and the values of JSON fields
 * named like secrets.
 *
 * <p>The text is whatever a client or a provider sent, so every step is linear in its length and takes
 * constant stack: the patterns are single character classes after a fixed prefix (no alternation under a
 * repetition, which Java's regex engine runs recursively), and what has no bounded shape (a field's value
 * up to its closing quote, a key block up to its END line) is found by a forward scan that never rescans.
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
            Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}"));
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}");
    private static final String SECRET_NAMES =
            "(?:api[_-]?key|authorization|password|passwd|secret|client_secret|access[_-]?token|token)";
    /** The start of a JSON field named like a secret, up to its value's opening quote. */
    private static final Pattern SECRET_FIELD = Pattern.compile("(?i)\"" + SECRET_NAMES + "\"\\s*:\\s*\"");
    /** The same inside a JSON string (a config pasted into a message), where its quotes are escaped. */
    private static final Pattern ESCAPED_SECRET_FIELD = Pattern.compile(
            "(?i)\\\\\"" + SECRET_NAMES + "\\\\\"\\s*:\\s*\\\\\"");
    private static final Pattern KEY_BEGIN = Pattern.compile("-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----");
    private static final Pattern KEY_END = Pattern.compile("-----END [A-Z ]{0,40}PRIVATE KEY-----");

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
        String result = fieldValues(text, SECRET_FIELD, Redaction::endOfJsonString);
        result = fieldValues(result, ESCAPED_SECRET_FIELD, Redaction::endOfEscapedString);
        result = privateKeys(result);
        result = BEARER.matcher(result).replaceAll("$1" + MARK);
        for (Pattern p : SECRETS) {
            result = p.matcher(result).replaceAll(MARK);
        }
        return result;
    }

    /** Where a field's value ends, from the first character after its opening quote. */
    private interface ValueEnd {
        /** The index of the closing quote's first character, or -1 when the value runs to the end of the text. */
        int find(String text, int from);
    }

    /** Replaces the value of every field {@code start} finds; a value without its closing quote, to the end. */
    private static String fieldValues(String text, Pattern start, ValueEnd end) {
        Matcher m = start.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int from = 0;
        while (from < text.length() && m.find(from)) {
            int valueStart = m.end();
            int valueEnd = end.find(text, valueStart);
            out.append(text, copied, valueStart).append(MARK);
            if (valueEnd < 0) {
                return out.toString();
            }
            copied = valueEnd;
            from = valueEnd;
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** The closing quote of a JSON string: the first quote not escaped by a backslash. */
    private static int endOfJsonString(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    /** The closing {@code \"} of a string quoted inside another JSON string. */
    private static int endOfEscapedString(String text, int from) {
        return text.indexOf("\\\"", from);
    }

    /**
     * Replaces each PEM private key, BEGIN line to END line. One forward pass: the next END line is looked
     * for once and reused for every BEGIN before it, so a text of many BEGIN lines and no END costs one
     * scan. A key whose END line is missing (cut short, or never there) is redacted through its body.
     */
    private static String privateKeys(String text) {
        Matcher begin = KEY_BEGIN.matcher(text);
        if (!begin.find()) {
            return text;
        }
        Matcher end = KEY_END.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int endStart = -2; // the next END line after the current BEGIN; -1 once there is none
        int endStop = -1;
        boolean found = true;
        while (found) {
            if (endStart != -1 && endStart < begin.end()) {
                endStart = end.find(begin.end()) ? end.start() : -1;
                endStop = endStart < 0 ? -1 : end.end();
            }
            int stop = endStart >= 0 ? endStop : keyBodyEnd(text, begin.end());
            out.append(text, copied, begin.start()).append(MARK);
            copied = stop;
            found = stop < text.length() && begin.find(stop);
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** Where a key's body ends: base64 and line breaks, real or escaped in a JSON string. */
    private static int keyBodyEnd(String text, int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == 'n' || text.charAt(i + 1) == 'r')) {
                i += 2;
            } else if (Character.isLetterOrDigit(c) && c < 128 || c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r') {
                i++;
            } else {
                return i;
            }
        }
        return i;
    }
}
