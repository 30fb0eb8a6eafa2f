package io.tokenrouter.access;

import com.fasterxml.jackson.annotation.JsonValue;
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
}
