package io.tokenrouter.routing;

/**
 * Checks a provider API key before it is sealed: surrounding white space is trimmed, a JSON service key is put on
 * one line, and what remains must be visible ASCII. A key with a line break or control character in it would make every request
 * to the provider fail while building its {@code Authorization} header, and the JDK's message for that
 * quotes the header value.
 */
public final class ProviderKeys {

    static final int MAX_LENGTH = 4096;

    private ProviderKeys() {
    }

    /** The trimmed key, null for none (null or blank), or an IllegalArgumentException that never quotes the key. */
    public static String clean(String provider, String key) {
        if (key == null || key.isBlank()) {
            return null;
        }
        String trimmed = compactJson(key.strip());
        if (trimmed.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("provider '" + provider + "' api_key is longer than " + MAX_LENGTH
                    + " characters");
        }
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("provider '" + provider + "' api_key may contain only visible ASCII"
                        + " characters; character " + (i + 1) + " of " + trimmed.length() + " is "
                        + (Character.isWhitespace(c) || Character.isISOControl(c) ? "white space or a control character"
                        : "not ASCII"));
            }
        }
        return trimmed;
    }

    /**
     * A key that is a JSON object (a service key, as SAP AI Core gives it, usually laid out on several lines) on
     * one line, without the white space between its values; any other key as it is.
     */
    static String compactJson(String key) {
        if (!key.startsWith("{") || !key.endsWith("}")) {
            return key;
        }
        com.fasterxml.jackson.databind.JsonNode tree = io.tokenrouter.api.Json.parseOrNull(
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return tree != null && tree.isObject() ? io.tokenrouter.api.Json.text(tree) : key;
    }
}
