package io.tokenrouter.store;

import jakarta.persistence.AttributeConverter;
import java.util.Locale;

/**
 * Stores an enum of the store's vocabulary (roles, quota metrics, periods and owners) by its wire name, its
 * constant's name in lower case, as the columns have always held them. Each enum has a {@code Column}
 * subclass naming its type, for {@code @Convert}.
 */
public abstract class WireNameColumn<E extends Enum<E>> implements AttributeConverter<E, String> {

    private final Class<E> type;

    protected WireNameColumn(Class<E> type) {
        this.type = type;
    }

    /** {@code value}'s wire name: its constant's name in lower case. */
    static String wireName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code type} a wire name (in any case) names; IllegalArgumentException for none. */
    static <E extends Enum<E>> E parse(Class<E> type, String text) {
        return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    }

    @Override
    public String convertToDatabaseColumn(E value) {
        return value == null ? null : wireName(value);
    }

    @Override
    public E convertToEntityAttribute(String text) {
        return text == null ? null : parse(type, text);
    }
}
