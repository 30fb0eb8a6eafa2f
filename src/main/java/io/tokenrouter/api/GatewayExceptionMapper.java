package io.tokenrouter.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Writes every {@link GatewayException} as the OpenAI error envelope with its status. */
@Provider
public class GatewayExceptionMapper implements ExceptionMapper<GatewayException> {

    @Override
    public Response toResponse(GatewayException e) {
        return toResponseOf(e);
    }

    /**
     * The error any exception of a request is answered with: a {@link GatewayException} as it is, unreadable JSON
     * as a 400, JAX-RS's own 404, 405, 406 and 415 in the envelope, anything else as a generic 500.
     */
    public static GatewayException of(Throwable e) {
        if (e instanceof GatewayException gateway) {
            return gateway;
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
            return JsonParseExceptionMapper.asGatewayException(json);
        }
        if (e instanceof jakarta.ws.rs.WebApplicationException web) {
            return WebApplicationExceptionMapper.asGatewayException(web);
        }
        return UnhandledExceptionMapper.INTERNAL;
    }

    public static Response toResponseOf(GatewayException e) {
        Response.ResponseBuilder response = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.bytes(e));
        if (e.retryAfter() != null) {
            response.header("Retry-After", Math.max(1, (e.retryAfter().toMillis() + 999) / 1000));
        }
        e.headers().forEach(response::header);
        return response.build();
    }
}
