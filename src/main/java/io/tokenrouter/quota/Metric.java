package io.tokenrouter.quota;

import java.util.Locale;

/** What a quota counts. */
public enum Metric {
    REQUESTS, TOKENS;

    public static Metric parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
