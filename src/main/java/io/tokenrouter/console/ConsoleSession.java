package io.tokenrouter.console;

import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.SetupService;
import io.tokenrouter.access.Caller;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.runtime.ClientAddresses;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Signing in to and out of the console. The sign-in page holds no state, so a visitor who has not signed in
 * costs the node no HTTP session. Signing in opens a gateway session ({@link SessionService}: throttled per
 * client, logged) and the browser's first HTTP session, so an id planted before sign-in is worthless;
 * signing out ends both.
 */
@Named("account")
@RequestScoped
public class ConsoleSession {

    /** The HTTP session attribute naming who signed in (for the sign-out event when the session times out). */
    static final String PRINCIPAL = "io.tokenrouter.console.principal";

    @Inject
    SessionService sessions;
    @Inject
    SetupService admin;
    @Inject
    ClientAddresses addresses;
    @Inject
    GatewaySettings settings;
    @Inject
    io.tokenrouter.sso.SsoSignIn sso;

    private String key;
    private String password;

    /** Opens the page: a signed-in visitor goes on to the console; a fresh install to first-run setup. */
    public void onSignInPage() {
        if (Console.request().getAttribute(Caller.PROPERTY) != null) {
            redirect("index.xhtml");
        }
    }

    public boolean isSetupPending() {
        return admin.setupPending();
    }

    public String signIn() {
        boolean byPassword = key == null || key.isBlank();
        if (byPassword && (password == null || password.isEmpty())) {
            Console.error("Enter an admin or keymaster key, or the admin password.");
            return null;
        }
        try {
            SessionService.Opened opened = sessions.open(byPassword ? null : key, byPassword ? password : null,
                    clientIp());
            try {
                OpenSessions.checkRoomFor(opened.role(), settings.consoleMaxSessions());
            } catch (GatewayException full) {
                sessions.close(opened.token(), Authorization.actorName(opened.principal(), opened.keyId()));
                throw full;
            }
            start(opened);
        } catch (GatewayException e) {
            Console.refused(e);
            return null;
        }
        return "index?faces-redirect=true";
    }

    /** Signs in with a key just created (first-run setup). */
    void signInWith(CreatedKey created) {
        start(sessions.open(created.secret(), null, clientIp()));
    }

    /**
     * Signs out: the session ends on every node and the cookie goes. A session opened by single sign-on also signs
     * out at the identity provider, when it offers that, which sends the browser back to the sign-in page.
     */
    public String signOut() {
        HttpServletRequest request = Console.request();
        HttpSession session = request.getSession(false);
        java.util.Optional<java.net.URI> atProvider = java.util.Optional.empty();
        if (session != null) {
            Object token = session.getAttribute(ConsoleFilter.TOKEN);
            if (token != null) {
                atProvider = sso.endSession((String) token, SsoServlet.address(request, settings,
                        SsoServlet.SIGNED_OUT));
                sessions.close((String) token, Authorization.actorName(Console.caller()));
            }
            session.invalidate();
        }
        Console.response().addCookie(ConsoleFilter.cookie(request, "", 0));
        if (atProvider.isPresent()) {
            redirect(atProvider.get().toString());
            return null;
        }
        return "signin?faces-redirect=true&signedOut=true";
    }

    /** Whether keys and the admin password sign in; when not, the page offers only the break-glass admin key. */
    public boolean isKeySignInAllowed() {
        return sessions.keySignInAllowed();
    }

    /** Whether the sign-in page offers single sign-on. */
    public boolean isSsoEnabled() {
        return sso.enabled();
    }

    /** The single sign-on button's words. */
    public String getSsoLabel() {
        return "Sign in with " + sso.label();
    }

    /** What the sign-in page says for a refused single sign-on ({@code ?sso=reason}); null for none. */
    public String getSsoProblem() {
        String reason = Console.request().getParameter("sso");
        return reason == null ? null : SsoServlet.explain(reason);
    }

    /**
     * The sign-in's own HTTP session, the first this browser gets from the console: a session the request
     * arrived with (planted, or left from an earlier sign-in) is ended, never carried on.
     */
    private void start(SessionService.Opened opened) {
        begin(Console.request(), Console.response(), opened, sessions);
    }

    /** Gives the browser a signed-in console session for {@code opened}: a fresh HTTP session and the cookie. */
    static void begin(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
                      SessionService.Opened opened, SessionService sessions) {
        HttpSession arrivedWith = request.getSession(false);
        if (arrivedWith != null) {
            arrivedWith.invalidate();
        }
        HttpSession session = request.getSession(true);
        // a container may give a new session the id the request asked for: the id is always changed
        request.changeSessionId();
        session.setAttribute(ConsoleFilter.TOKEN, opened.token());
        session.setAttribute(PRINCIPAL, opened.principal());
        request.setAttribute(Caller.PROPERTY, sessions.resolve(opened.token()));
        response.addCookie(ConsoleFilter.cookie(request, opened.token(), -1));
    }

    /** The address the request came from, as the trusted proxies report it. */
    String clientIp() {
        return addresses.resolve(Console.request());
    }

    /** Who is signed in, for the navigation bar. */
    public String getName() {
        return Console.caller().keyName();
    }

    /** The key (or person's principal) signed in, to tell them apart from others on a page. */
    public long getKeyId() {
        return Console.caller().keyId();
    }

    public String getRole() {
        return Console.caller().role().wireName();
    }

    public boolean isAdmin() {
        return Console.isAdmin();
    }

    /** Whether admins should be told that the configured admin key is a placeholder. */
    public boolean isWeakAdminKey() {
        return Console.isAdmin() && admin.weakAdminKey();
    }

    static void redirect(String page) {
        try {
            Console.faces().getExternalContext().redirect(page);
            Console.faces().responseComplete();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }
}
