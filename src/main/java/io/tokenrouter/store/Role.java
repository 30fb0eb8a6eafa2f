package io.tokenrouter.store;

import com.fasterxml.jackson.annotation.JsonValue;
import jakarta.persistence.AttributeConverter;
import java.util.Locale;

/** What a key may do; each role includes everything of the roles after it. */
public enum Role {
    ADMIN, KEYMASTER, INFERRER;

    public static Role parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean includes(Role other) {
        return ordinal() <= other.ordinal();
    }

    /** Stored by its wire name ("admin", "keymaster", "inferrer"), as the column always held it. */
    @jakarta.persistence.Converter
    public static final class Column implements AttributeConverter<Role, String> {
        @Override
        public String convertToDatabaseColumn(Role role) {
            return role == null ? null : role.wireName();
        }

        @Override
        public Role convertToEntityAttribute(String text) {
            return text == null ? null : parse(text);
        }
    }
}
