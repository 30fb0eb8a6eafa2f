package io.tokenrouter.console;

import io.tokenrouter.access.SessionService;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * When the container ends a console session because it sat idle for its timeout, its gateway session ends
 * too, so the token cannot outlive the browser session it belonged to. A session a node drops while it
 * shuts down is not an idle one: the browser carries on with another node (or this one, restarted).
 */
@WebListener
public class SessionEnd implements HttpSessionListener {

    private static final Logger LOG = Logger.getLogger(SessionEnd.class.getName());

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        Object token;
        try {
            if (!idledOut(event.getSession(), System.currentTimeMillis())) {
                // signed out (which closed the gateway session itself), or dropped by a node that is shutting
                // down: the console session goes on on another node, through its cookie
                return;
            }
            token = event.getSession().getAttribute(ConsoleFilter.TOKEN);
        } catch (IllegalStateException e) {
            return;
        }
        Object name = event.getSession().getAttribute(ConsoleSession.PRINCIPAL);
        if (token instanceof String t) {
            try {
                CDI.current().select(SessionService.class).get().close(t, name == null ? null : name.toString());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Could not end the gateway session of an ended console session", e);
            }
        }
    }

    /** Whether the session ended because it was idle for its whole timeout (a few seconds' slack for the sweep). */
    static boolean idledOut(jakarta.servlet.http.HttpSession session, long nowMillis) {
        int timeout = session.getMaxInactiveInterval();
        return timeout > 0 && nowMillis - session.getLastAccessedTime() >= timeout * 1000L - 5_000;
    }
}
