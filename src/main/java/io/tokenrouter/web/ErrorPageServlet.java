package io.tokenrouter.web;

import io.tokenrouter.api.ErrorBody;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.DatabaseUnavailableException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The container's error pages for this application (unknown paths, wrong methods, errors outside the
 * JAX-RS applications): the OpenAI error envelope instead of the container's HTML page, which would
 * also name the server and its version.
 */
@WebServlet(urlPatterns = ErrorPageServlet.PATH)
public class ErrorPageServlet extends HttpServlet {

    public static final String PATH = "/error";
    /** A request attribute marking a console form refused because another site posted it. */
    public static final String CROSS_SITE = "io.tokenrouter.console.crossSite";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : HttpServletResponse.SC_NOT_FOUND;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri == null ? request.getRequestURI() : uri.toString();
        if (path.startsWith(request.getContextPath() + "/admin")) {
            consolePage(request, response, status);
            return;
        }
        GatewayException error = describe(status, path);
        if (databaseUnavailable(request)) {
            error = GatewayException.databaseUnavailable("The database is unreachable; this needs it. Try again shortly.");
            status = error.status();
            response.setHeader("Retry-After", String.valueOf(error.retryAfter().toSeconds()));
        }
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(ErrorBody.bytes(error));
    }

    /**
     * The console's errors as a plain page: what happened and where to go, without a stack trace. A form
     * posted without the view state this session was given (an expired page, or a cross-site request) is
     * refused with 403 and changes nothing.
     */
    private static void consolePage(HttpServletRequest request, HttpServletResponse response, int status) throws IOException {
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        boolean expired = false;
        for (Object e = exception; e instanceof Throwable t; e = t.getCause() == t ? null : t.getCause()) {
            expired |= t.getClass().getName().endsWith("ViewExpiredException");
        }
        String title;
        String text;
        if (request.getAttribute(CROSS_SITE) != null) {
            status = HttpServletResponse.SC_FORBIDDEN;
            title = "Refused: sent from another site";
            text = "The browser says this form was sent from a page of another site. Nothing was changed; open the"
                    + " console's own page and try again.";
        } else if (expired) {
            status = HttpServletResponse.SC_FORBIDDEN;
            title = "This page has expired";
            text = "The form was not sent from a page of this console session (it may have timed out, or the request came"
                    + " from another site). Nothing was changed.";
        } else if (databaseUnavailable(request)) {
            status = HttpServletResponse.SC_SERVICE_UNAVAILABLE;
            title = "The database is unreachable";
            text = "This page needs the database, which this node cannot reach now. The API keeps serving the keys this"
                    + " node knows and journals every request; the console is back once the database is. Try again shortly.";
        } else if (status == 403) {
            title = "Not for this key";
            text = "This page is for admins. Your key can see Status, Quota, Access and Log for the keys beneath it.";
        } else if (status == 503) {
            title = "The console is full on this node";
            text = "This node holds as many signed-in console sessions as it may (console_max_sessions). Try again when"
                    + " some have ended, or ask an administrator to raise the limit.";
        } else if (status == 404) {
            title = "No such page";
            text = "The console has no page at this address.";
        } else {
            title = "Something went wrong";
            text = "The console hit an error; it has been logged. Try again, or go back to the status page.";
        }
        response.setStatus(status);
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        String home = request.getContextPath() + "/admin/";
        response.getOutputStream().write(("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                + " · TokenRouter</title><style>body{font-family:system-ui,sans-serif;background:#f8f9fa;color:#495057;margin:0}"
                + "@media(prefers-color-scheme:dark){body{background:#1f2d40;color:#e0e0e0}a{color:#64b5f6}}"
                + "main{max-width:36rem;margin:12vh auto;padding:0 1.5rem}h1{font-size:1.4rem}</style></head><body><main>"
                + "<h1>" + title + "</h1><p>" + text + "</p><p><a href=\"" + home + "\">Back to the console</a></p>"
                + "<p style=\"opacity:.6;font-size:.85rem\">HTTP " + status + "</p></main></body></html>")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Whether the request failed because the database is unreachable. */
    private static boolean databaseUnavailable(HttpServletRequest request) {
        for (Object e = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION); e instanceof Throwable t;
             e = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseUnavailableException) {
                return true;
            }
        }
        return false;
    }

    static GatewayException describe(int status, String path) {
        String shown = path == null ? "" : io.tokenrouter.api.Texts.abbreviate(path, 200);
        return switch (status) {
            case 404 -> new GatewayException(404, "invalid_request_error", "not_found", null,
                    "Nothing is served at '" + shown + "'. The OpenAI API is under /v1, the management API under /api.");
            case 405 -> new GatewayException(405, "invalid_request_error", "method_not_allowed", null,
                    "The method is not allowed at '" + shown + "'.");
            case 400 -> GatewayException.invalidRequest(null, "The request could not be understood.");
            case 401, 403 -> new GatewayException(status, "invalid_request_error", null, null,
                    "The request is not authorized.");
            default -> status >= 500
                    ? new GatewayException(status, "server_error", "internal_error", null,
                    "The gateway hit an internal error; it has been logged.")
                    : new GatewayException(status, "invalid_request_error", null, null,
                    "The request was refused with HTTP " + status + ".");
        };
    }
}
