package io.tokenrouter.api;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The last resort: logs the stack and answers a generic 500 in the envelope, without internals. */
@Provider
public class UnhandledExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnhandledExceptionMapper.class.getName());
    /** What an unexpected failure is answered with: nothing of its internals. */
    static final GatewayException INTERNAL = new GatewayException(500, "server_error", "internal_error",
            null, "The gateway hit an internal error; it has been logged.");

    @Override
    public Response toResponse(Throwable e) {
        LOG.log(Level.SEVERE, "Unhandled error while serving a request", e);
        return GatewayExceptionMapper.toResponseOf(INTERNAL);
    }
}
