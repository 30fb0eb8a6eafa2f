package io.tokenrouter.console;

import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP sessions this node holds for the console. Only a successful sign-in (or a sign-in carried over
 * from another node) creates one, and never more than {@code console_max_sessions}: a second wall behind
 * the sign-in throttle, so that a key holder signing in over and over cannot fill the node's memory. The
 * last tenth is kept for admins, so that keymasters filling the node do not lock the admins out.
 *
 * <p>Sessions are counted by id (a container that restores sessions from disk at start announces their
 * end but not their creation; an id this node never saw created is simply not counted).
 */
@WebListener
public class OpenSessions implements HttpSessionListener, HttpSessionIdListener {

    private static final Set<String> OPEN = ConcurrentHashMap.newKeySet();

    @Override
    public void sessionCreated(HttpSessionEvent event) {
        OPEN.add(event.getSession().getId());
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        OPEN.remove(event.getSession().getId());
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        if (OPEN.remove(oldSessionId)) {
            OPEN.add(event.getSession().getId());
        }
    }

    /** How many sessions this node holds now. */
    static int count() {
        return OPEN.size();
    }

    /**
     * A 503 when a session for {@code role} may not start: this node holds {@code max} sessions already, or
     * nine tenths of them and the role is not admin.
     */
    static void checkRoomFor(Role role, int max) {
        int open = OPEN.size();
        int limit = role == Role.ADMIN ? max : max - max / 10;
        if (open >= limit) {
            throw new GatewayException(503, "server_error", "console_sessions_exhausted", null,
                    "This node holds " + open + " console sessions" + (role == Role.ADMIN ? ", its limit"
                    : ", all it keeps for keymasters") + " (console_max_sessions " + max + "); sign in again when some"
                    + " have ended.");
        }
    }
}
