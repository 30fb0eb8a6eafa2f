package io.tokenrouter.management;

import io.tokenrouter.api.GatewayException;

/** The one check the management resources make themselves: that a body was sent at all. */
final class Validation {

    private Validation() {
    }

    static <T> T required(T body) {
        if (body == null) {
            throw GatewayException.invalidRequest(null, "A JSON request body is required.");
        }
        return body;
    }
}
