package io.tokenrouter.console;

import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.store.Role;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.web.ErrorPageServlet;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The console's door: every {@code /admin} request carries the session it signed in with (the session
 * token is held in the container's HTTP session, never in the page), resolved on each request against the
 * database, so a revoked key or a sign-out elsewhere ends it. Without one, pages lead to the sign-in page;
 * admin-only pages answer 403 to keymasters, whatever URL they type. Pages are never cached and never framed.
 * <p>
 * The token also travels in the {@value #COOKIE} cookie (HttpOnly, SameSite=Strict, Secure over HTTPS,
 * {@code /admin} only), so that a node of a cluster that has no HTTP session for the browser (it took over
 * from a node that died or restarted) restores the sign-in from the database instead of asking again.
 */
@WebFilter(urlPatterns = "/admin/*")
public class ConsoleFilter extends HttpFilter {

    /** The HTTP session attribute that holds the console's session token. */
    static final String TOKEN = "io.tokenrouter.console.session";
    /** The cookie that carries the same token to whichever node serves the next request. */
    static final String COOKIE = "tr_console";
    /** Pages anyone may open: signing in and first-run setup. */
    private static final Set<String> PUBLIC = Set.of("/signin.xhtml", "/setup.xhtml", "/sso/start", "/sso/callback",
            "/sso/signed-out");
    /** Pages only admins may open; keymasters see only their own keys' data elsewhere. */
    static final Set<String> ADMIN_ONLY = Set.of("/providers.xhtml", "/models.xhtml", "/conversations.xhtml",
            "/network.xhtml", "/settings.xhtml", "/welcome.xhtml", "/audit.jsonl", "/people.xhtml");

    @Inject
    SessionService sessions;
    @Inject
    AuditTrail audit;
    @Inject
    io.tokenrouter.sso.SsoSignIn sso;
    @Inject
    io.tokenrouter.runtime.ClientAddresses addresses;
    private int maxSessions;

    @Inject
    void limit(GatewaySettings settings) {
        maxSessions = settings.consoleMaxSessions();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "same-origin");
        if ("POST".equals(request.getMethod()) && crossSite(request)) {
            request.setAttribute(ErrorPageServlet.CROSS_SITE, Boolean.TRUE);
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        String page = page(request);
        Caller caller;
        try {
            caller = caller(request, response);
        } catch (GatewayException full) {
            response.sendError(full.status());
            return;
        }
        if (PUBLIC.contains(page)) {
            if (caller != null) {
                request.setAttribute(Caller.PROPERTY, caller);
            }
            chain.doFilter(request, response);
            return;
        }
        if (caller == null) {
            redirect(request, response, request.getContextPath() + "/admin/signin.xhtml");
            return;
        }
        if (caller.role() != Role.ADMIN && ADMIN_ONLY.contains(page)) {
            audit.refused(caller, "the console's " + page.substring(1));
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        request.setAttribute(Caller.PROPERTY, caller);
        chain.doFilter(request, response);
    }

    /**
     * Whether a form was posted from another site, by what the browser says of the request: its
     * {@code Sec-Fetch-Site} (anything but same-origin, a sibling subdomain included), or else its
     * {@code Origin} naming another host. The signed-in pages carry server-side view state as well; the
     * sign-in and setup pages hold no state, so this is their defence against a forged sign-in.
     */
    static boolean crossSite(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return !site.equals("same-origin") && !site.equals("none");
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        String host;
        try {
            java.net.URI uri = new java.net.URI(origin);
            host = uri.getHost() == null ? null : uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (java.net.URISyntaxException e) {
            return true;
        }
        return host == null || !(sameHost(host, request.getHeader("Host")) || sameHost(host, request.getHeader("X-Forwarded-Host")));
    }

    private static boolean sameHost(String originHost, String header) {
        if (header == null) {
            return false;
        }
        String first = header.split(",")[0].trim();
        return first.equalsIgnoreCase(originHost) || first.replaceFirst(":(80|443)$", "").equalsIgnoreCase(originHost);
    }

    /** The page within /admin: {@code /admin/log.xhtml} → {@code /log.xhtml}; the folder itself is the status page. */
    static String page(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        String page = path.startsWith("/admin") ? path.substring("/admin".length()) : path;
        return page.isEmpty() || page.equals("/") ? "/index.xhtml" : page;
    }

    /** Who the request is signed in as, or null; a 503 when a sign-in from another node finds this one full. */
    private Caller caller(HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        Object held = session == null ? null : session.getAttribute(TOKEN);
        String cookie = cookieToken(request);
        if (held != null && cookie != null && !held.equals(cookie)) {
            // the browser's own sign-in is the cookie; a session signed in as someone else was planted
            held = null;
        }
        String token = held != null ? (String) held : cookie;
        if (token == null) {
            return null;
        }
        Caller caller;
        try {
            caller = sessions.resolve(token);
        } catch (GatewayException e) {
            // a single sign-on session whose ID token expired goes on if the provider renews it
            caller = sso.renew(token, addresses.resolve(request)) ? renewed(token) : null;
            if (caller == null) {
                forget(request, response, session);
                return null;
            }
        }
        if (caller.role() == Role.INFERRER) {
            // the key was made an inferrer since: its console session ends
            sessions.close(token, Authorization.actorName(caller));
            forget(request, response, session);
            return null;
        }
        if (held == null) {
            OpenSessions.checkRoomFor(caller.role(), maxSessions);
            restore(request, session, token, caller);
        }
        return caller;
    }

    /** The caller of a session just renewed, or null if it still does not resolve. */
    private Caller renewed(String token) {
        try {
            return sessions.resolve(token);
        } catch (GatewayException e) {
            return null;
        }
    }

    /**
     * Signed in on another node (or before this node restarted): the sign-in carries on here, always in a
     * session of its own. A session the request arrived with holds no sign-in and may have been planted by
     * someone else (an id taken from a page they opened), so it is ended, never signed in.
     */
    private static void restore(HttpServletRequest request, HttpSession arrivedWith, String token, Caller caller) {
        if (arrivedWith != null) {
            try {
                arrivedWith.invalidate();
            } catch (IllegalStateException alreadyEnded) {
                // ended meanwhile: nothing to take over
            }
        }
        HttpSession restored = request.getSession(true);
        // a container may give a new session the id the request asked for (one another application on
        // the host holds): the id is always changed
        request.changeSessionId();
        restored.setAttribute(TOKEN, token);
        restored.setAttribute(ConsoleSession.PRINCIPAL, caller.keyName());
    }

    /** The sign-in ended (signed out elsewhere, expired, revoked): so does its HTTP session, and the cookie goes. */
    private static void forget(HttpServletRequest request, HttpServletResponse response, HttpSession session) {
        if (session != null) {
            try {
                session.invalidate();
            } catch (IllegalStateException alreadyEnded) {
                // ended meanwhile
            }
        }
        if (cookieToken(request) != null) {
            response.addCookie(cookie(request, "", 0));
        }
    }

    /** The session token the browser sent in {@value #COOKIE}, if it looks like one. */
    static String cookieToken(HttpServletRequest request) {
        if (request.getCookies() == null) {
            return null;
        }
        for (Cookie c : request.getCookies()) {
            if (COOKIE.equals(c.getName()) && c.getValue() != null && c.getValue().startsWith("trs_")
                    && c.getValue().length() <= 128) {
                return c.getValue();
            }
        }
        return null;
    }

    /** The console cookie holding {@code token}; {@code maxAge} 0 removes it, -1 keeps it for the browser session. */
    static Cookie cookie(HttpServletRequest request, String token, int maxAge) {
        Cookie cookie = new Cookie(COOKIE, token);
        cookie.setPath(request.getContextPath() + "/admin");
        cookie.setHttpOnly(true);
        cookie.setSecure(request.isSecure());
        cookie.setAttribute("SameSite", "Strict");
        cookie.setMaxAge(maxAge);
        return cookie;
    }

    /** A redirect the browser follows, also from inside an Ajax request (as a Faces partial response). */
    static void redirect(HttpServletRequest request, HttpServletResponse response, String location) throws IOException {
        if ("partial/ajax".equals(request.getHeader("Faces-Request"))) {
            response.setContentType("text/xml");
            response.setCharacterEncoding("UTF-8");
            String escaped = location.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
            response.getOutputStream().write(("<?xml version=\"1.0\" encoding=\"UTF-8\"?><partial-response><redirect url=\""
                    + escaped + "\"></redirect></partial-response>").getBytes(StandardCharsets.UTF_8));
            return;
        }
        response.sendRedirect(location);
    }
}
