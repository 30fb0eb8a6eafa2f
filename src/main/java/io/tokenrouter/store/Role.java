package io.tokenrouter.store;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a key may do; each role includes everything of the roles after it. */
public enum Role {
    ADMIN, KEYMASTER, INFERRER;

    public static Role parse(String text) {
        return WireNameColumn.parse(Role.class, text);
    }

    @JsonValue
    public String wireName() {
        return WireNameColumn.wireName(this);
    }

    public boolean includes(Role other) {
        return ordinal() <= other.ordinal();
    }

    /** Stored by its wire name, as the column always held it. */
    @jakarta.persistence.Converter
    public static final class Column extends WireNameColumn<Role> {
        public Column() {
            super(Role.class);
        }
    }
}
