package io.tokenrouter.console;

import io.tokenrouter.access.SessionService;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.SsoSettings;
import io.tokenrouter.runtime.ClientAddresses;
import io.tokenrouter.sso.SsoRefusal;
import io.tokenrouter.sso.SsoSignIn;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The console's single sign-on: {@code /admin/sso/start} sends the browser to the identity provider, bound to it
 * by the {@value #BINDING} cookie; {@code /admin/sso/callback} is where the provider sends it back. A refused
 * sign-in goes to the sign-in page with a reason it explains; a signed-in browser goes on to the console.
 * {@code /admin/sso/signed-out} is where the provider sends the browser after signing out there too.
 */
@WebServlet(urlPatterns = {SsoServlet.START, SsoServlet.CALLBACK, SsoServlet.SIGNED_OUT})
public class SsoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(SsoServlet.class.getName());
    static final String START = "/admin/sso/start";
    static final String CALLBACK = "/admin/sso/callback";
    /** Where the identity provider sends the browser after signing out there (an address without a query). */
    static final String SIGNED_OUT = "/admin/sso/signed-out";
    /** The cookie that carries a sign-in (sealed) in the browser that started it until the provider sends it back. */
    static final String BINDING = "tr_sso";

    /** What the sign-in page says for each reason a single sign-on was refused. */
    private static final Map<String, String> EXPLAINED = Map.ofEntries(
            Map.entry("no_role", "Your account has no role in this gateway; ask an admin to add you to one of its groups."),
            Map.entry("disabled", "Your account is disabled in this gateway; ask an admin."),
            Map.entry("email_domain", "Your account's email address is not in a domain this gateway admits."),
            Map.entry("unknown_team", "Your account names a team this gateway does not have; ask an admin."),
            Map.entry("invalid_state", "This sign-in could not be finished (it was used already, or started in"
                    + " another browser). Sign in again."),
            Map.entry("expired", "The sign-in took too long. Sign in again."),
            Map.entry("invalid_token", "The identity provider's answer could not be trusted; nobody was signed in."),
            Map.entry("token_refused", "The identity provider refused the sign-in. Sign in again."),
            Map.entry("no_id_token", "The identity provider's answer could not be trusted; nobody was signed in."),
            Map.entry("provider_error", "The identity provider did not sign you in."),
            Map.entry("provider_unavailable", "The identity provider cannot be reached; try again in a minute."),
            Map.entry("full", "The console has as many sessions as it allows; try again later."),
            Map.entry("not_configured", "Single sign-on is not configured."),
            Map.entry("refused", "The sign-in was refused."));

    @Inject
    SsoSignIn sso;
    @Inject
    SessionService sessions;
    @Inject
    ClientAddresses addresses;
    @Inject
    GatewaySettings settings;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!sso.enabled()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        if (START.equals(request.getServletPath())) {
            start(request, response);
        } else if (SIGNED_OUT.equals(request.getServletPath())) {
            response.sendRedirect(request.getContextPath() + "/admin/signin.xhtml?signedOut=true");
        } else {
            callback(request, response);
        }
    }

    private void start(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SsoSignIn.Started started;
        try {
            started = sso.start(address(request, settings, CALLBACK));
        } catch (SsoRefusal refused) {
            LOG.warning("Single sign-on could not start: " + refused.getMessage());
            refuse(request, response, refused.reason());
            return;
        }
        Cookie cookie = new Cookie(BINDING, started.cookie());
        cookie.setPath(request.getContextPath() + "/admin/sso");
        cookie.setHttpOnly(true);
        cookie.setSecure(request.isSecure() || settings.sso().flatMap(SsoSettings::publicUrl)
                .map(u -> "https".equalsIgnoreCase(u.getScheme())).orElse(false));
        // the provider sends the browser back with a top-level GET from its own site: Lax is sent with it
        cookie.setAttribute("SameSite", "Lax");
        cookie.setMaxAge(600);
        response.addCookie(cookie);
        response.sendRedirect(started.authorize().toString());
    }

    private void callback(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String binding = null;
        if (request.getCookies() != null) {
            for (Cookie c : request.getCookies()) {
                if (BINDING.equals(c.getName()) && c.getValue() != null && c.getValue().length() <= 2048) {
                    binding = c.getValue();
                }
            }
        }
        Cookie spent = new Cookie(BINDING, "");
        spent.setPath(request.getContextPath() + "/admin/sso");
        spent.setMaxAge(0);
        response.addCookie(spent);
        String clientIp = addresses.resolve(request);
        SessionService.Opened opened;
        try {
            opened = sso.finish(request.getParameter("state"), request.getParameter("code"),
                    request.getParameter("error"), request.getParameter("error_description"), binding, clientIp);
        } catch (SsoRefusal refused) {
            refuse(request, response, refused.reason());
            return;
        }
        try {
            OpenSessions.checkRoomFor(opened.role(), settings.consoleMaxSessions());
        } catch (GatewayException full) {
            sessions.close(opened.token(), io.tokenrouter.access.Authorization.actorName(opened.principal(),
                    opened.keyId()));
            refuse(request, response, "full");
            return;
        }
        ConsoleSession.begin(request, response, opened, sessions);
        // the browser arrived from the provider's site, so a redirect would still be cross-site and leave the
        // console's SameSite=Strict cookie behind; a page of our own moves on as a same-site navigation
        page(response, request.getContextPath() + "/admin/index.xhtml");
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, String reason)
            throws IOException {
        page(response, request.getContextPath() + "/admin/signin.xhtml?sso=" + (EXPLAINED.containsKey(reason)
                ? reason : "refused"));
    }

    /** A page that moves on to {@code location} at once. */
    private static void page(HttpServletResponse response, String location) throws IOException {
        String escaped = location.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"refresh\" content=\"0;url=" + escaped + "\"><title>Signing in · TokenRouter</title>"
                + "</head><body><p><a href=\"" + escaped + "\">Continue</a></p></body></html>")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** What the sign-in page says for a refusal's reason. */
    static String explain(String reason) {
        return EXPLAINED.getOrDefault(reason, EXPLAINED.get("refused"));
    }

    /**
     * The absolute address of {@code path} in this application as browsers see it: under {@code sso.public_url}
     * (the application's own address, its context path included) when set, else from the request.
     */
    static URI address(HttpServletRequest request, GatewaySettings settings, String path) {
        String base = settings.sso().flatMap(SsoSettings::publicUrl).map(URI::toString).orElseGet(() -> {
            String scheme = request.getScheme();
            int port = request.getServerPort();
            boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return scheme + "://" + request.getServerName() + (defaultPort ? "" : ":" + port) + request.getContextPath();
        });
        return URI.create(base + path);
    }
}
