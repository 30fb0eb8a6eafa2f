package io.tokenrouter.console;

import io.tokenrouter.access.Sessions;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * When the container ends a console session (idle timeout, sign-out, shutdown of an unreplicated node),
 * its gateway session ends too, so the token cannot outlive the browser session it belonged to.
 */
@WebListener
public class SessionEnd implements HttpSessionListener {

    private static final Logger LOG = Logger.getLogger(SessionEnd.class.getName());

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        Object token;
        try {
            token = event.getSession().getAttribute(ConsoleFilter.TOKEN);
        } catch (IllegalStateException e) {
            return;
        }
        Object name = event.getSession().getAttribute(ConsoleSession.PRINCIPAL);
        if (token instanceof String t) {
            try {
                CDI.current().select(Sessions.class).get().close(t, name == null ? null : name.toString());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Could not end the gateway session of an ended console session", e);
            }
        }
    }
}
