package io.tokenrouter.store;

/**
 * What a quota counts: requests, tokens, or cost (kept in millionths of a US dollar, written in dollars by
 * the API and the console).
 */
public enum Metric {
    REQUESTS, TOKENS, COST;

    public static Metric parse(String text) {
        return WireNameColumn.parse(Metric.class, text);
    }

    /** The wire name, so that a message or a page shows it as the API writes it. */
    @Override
    public String toString() {
        return wireName();
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return WireNameColumn.wireName(this);
    }

    /** Stored by its wire name, as the column always held it. */
    @jakarta.persistence.Converter
    public static final class Column extends WireNameColumn<Metric> {
        public Column() {
            super(Metric.class);
        }
    }
}
