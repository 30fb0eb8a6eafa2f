package io.tokenrouter.api;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Gives JAX-RS's own 404, 405, 406 and 415 answers the OpenAI error envelope. */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        Response.ResponseBuilder response = Response.fromResponse(GatewayExceptionMapper.toResponseOf(asGatewayException(e)));
        if (e instanceof NotAllowedException) {
            response.allow(original.getAllowedMethods());
        }
        return response.build();
    }

    static GatewayException asGatewayException(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return new GatewayException(status, "invalid_request_error", codeOf(e), null, messageOf(e, status));
    }

    private static String codeOf(WebApplicationException e) {
        if (e instanceof NotFoundException) {
            return "unknown_url";
        }
        if (e instanceof NotAllowedException) {
            return "method_not_allowed";
        }
        if (e instanceof NotSupportedException) {
            return "unsupported_media_type";
        }
        return null;
    }

    private static String messageOf(WebApplicationException e, int status) {
        if (e instanceof NotFoundException) {
            return "Unknown request URL. Please check the URL for typos.";
        }
        if (e instanceof NotAllowedException) {
            return "Method not allowed here; allowed: " + e.getResponse().getAllowedMethods() + ".";
        }
        if (e instanceof NotSupportedException) {
            return "Unsupported Content-Type; send 'Content-Type: application/json'.";
        }
        String reason = Response.Status.fromStatusCode(status) == null
                ? "HTTP " + status : Response.Status.fromStatusCode(status).getReasonPhrase();
        return e.getMessage() == null ? reason : reason + ": " + e.getMessage();
    }
}
