package io.tokenrouter.access;

import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;

/** The role rules every service applies to its caller, whichever adapter (API, console) it came through. */
public final class Authorization {

    private Authorization() {
    }

    public static Caller requireAdmin(Caller actor) {
        if (actor.role() != Role.ADMIN) {
            throw GatewayException.forbidden("This needs an admin key.");
        }
        return actor;
    }

    /** An admin or a keymaster: someone who manages keys. */
    public static Caller requireManager(Caller actor) {
        if (actor.role() == Role.INFERRER) {
            throw GatewayException.forbidden("This needs an admin or keymaster key.");
        }
        return actor;
    }

    /** How an actor is named in the audit trail: "name #id". */
    public static String actorName(Caller actor) {
        return actorName(actor.keyName(), actor.keyId());
    }

    /** How the key {@code name} with id {@code keyId} is named in the audit trail. */
    public static String actorName(String name, long keyId) {
        return name + " #" + keyId;
    }
}
