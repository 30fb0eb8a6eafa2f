package io.tokenrouter.management;

import io.tokenrouter.access.Caller;
import jakarta.ws.rs.container.ContainerRequestContext;

/** The authenticated caller of a management request, as the key filter left it; the services authorize. */
final class Guard {

    private Guard() {
    }

    static Caller caller(ContainerRequestContext request) {
        return (Caller) request.getProperty(Caller.PROPERTY);
    }
}
