package io.tokenrouter.store;

/**
 * How a {@code /v1} request ended, as the request log stores it ({@link #wire}): answered, failed at the
 * gateway or at its provider, abandoned by its client, or refused before it was forwarded.
 */
public enum Outcome {
    /** Answered in full. */
    OK("ok"),
    /** Failed before or while it was answered, for a reason the error code tells. */
    ERROR("error"),
    /** The provider failed the request (an error status, a broken answer, a stream cut off). */
    UPSTREAM_ERROR("upstream_error"),
    /** The provider went silent for longer than its read timeout. */
    UPSTREAM_TIMEOUT("upstream_timeout"),
    /** The client went away before the answer was complete. */
    CLIENT_CLOSED("client_closed"),
    /** Refused before it was forwarded (bad request, key, model, size or a limit). */
    REFUSED("refused");

    private final String wire;

    Outcome(String wire) {
        this.wire = wire;
    }

    /** The name the request log and the API use. */
    /** The wire name, so that a message or a page shows it as the API writes it. */
    @Override
    public String toString() {
        return wire();
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return wire;
    }

    /** The outcome a stored name stands for; {@link #ERROR} for a name this version does not know. */
    public static Outcome of(String wire) {
        for (Outcome outcome : values()) {
            if (outcome.wire.equals(wire)) {
                return outcome;
            }
        }
        return ERROR;
    }
}
