package io.tokenrouter.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A request body Jackson could not read is the client's fault: 400 in the envelope. */
@Provider
public class JsonParseExceptionMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException e) {
        return GatewayExceptionMapper.toResponseOf(asGatewayException(e));
    }

    static GatewayException asGatewayException(JsonProcessingException e) {
        return GatewayException.invalidJson(e.getOriginalMessage());
    }
}
