package io.tokenrouter.api;

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

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : HttpServletResponse.SC_NOT_FOUND;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        GatewayException error = describe(status, uri == null ? request.getRequestURI() : uri.toString());
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(ErrorBody.bytes(error));
    }

    static GatewayException describe(int status, String path) {
        String shown = path == null ? "" : path.length() > 200 ? path.substring(0, 200) + "…" : path;
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
