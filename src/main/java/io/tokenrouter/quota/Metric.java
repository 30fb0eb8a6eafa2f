package io.tokenrouter.quota;

import java.util.Locale;

/**
 * What a quota counts: requests, tokens, or cost (kept in millionths of a US dollar, written in dollars by
 * the API and the console).
 */
public enum Metric {
    REQUESTS, TOKENS, COST;

    public static Metric parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
