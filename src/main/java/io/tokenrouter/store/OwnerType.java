package io.tokenrouter.store;

/** Whose limit a quota is: a key's own, or its team's (shared by every key of the team). */
public enum OwnerType {
    KEY, TEAM;

    public static OwnerType parse(String text) {
        return WireNameColumn.parse(OwnerType.class, text);
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
    public static final class Column extends WireNameColumn<OwnerType> {
        public Column() {
            super(OwnerType.class);
        }
    }
}
