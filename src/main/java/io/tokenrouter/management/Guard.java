package io.tokenrouter.management;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.Role;
import io.tokenrouter.api.GatewayException;
import jakarta.ws.rs.container.ContainerRequestContext;

/** Role checks of the management API. */
final class Guard {

    private Guard() {
    }

    static Caller caller(ContainerRequestContext request) {
        return (Caller) request.getProperty(Caller.PROPERTY);
    }

    static Caller admin(ContainerRequestContext request) {
        Caller caller = caller(request);
        if (caller.role() != Role.ADMIN) {
            throw GatewayException.forbidden("This needs an admin key.");
        }
        return caller;
    }

    static Caller manager(ContainerRequestContext request) {
        Caller caller = caller(request);
        if (caller.role() == Role.INFERRER) {
            throw GatewayException.forbidden("This needs an admin or keymaster key.");
        }
        return caller;
    }
}
