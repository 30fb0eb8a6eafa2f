package io.tokenrouter.provider;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What a provider does with a model its list does not name, as an API client sets it:
 * {@code "forward_unlisted_models": true} (forward it as asked), {@code false} (refuse it with a 404) or
 * {@code "default"} (back to the preset's default).
 */
public enum UnlistedModels {
    FORWARD, REFUSE, PRESET_DEFAULT;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static UnlistedModels of(Object value) {
        if (value instanceof Boolean forward) {
            return forward ? FORWARD : REFUSE;
        }
        if ("default".equals(value)) {
            return PRESET_DEFAULT;
        }
        throw new IllegalArgumentException("forward_unlisted_models must be true, false or \"default\"");
    }

    /** The provider's stored choice: null for the preset's default. */
    Boolean stored() {
        return this == PRESET_DEFAULT ? null : this == FORWARD;
    }
}
