package io.tokenrouter.boot;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.GatewayExceptionMapper;
import io.tokenrouter.store.DatabaseUnavailableException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;

/** What needs the database while it is unreachable is answered at once with 503 {@code database_unavailable}. */
@Provider
public class DatabaseUnavailableMapper implements ExceptionMapper<DatabaseUnavailableException> {

    private static final Logger LOG = Logger.getLogger(DatabaseUnavailableMapper.class.getName());

    @Override
    public Response toResponse(DatabaseUnavailableException e) {
        LOG.fine(() -> "Refused while the database is unreachable: " + e.getMessage());
        return GatewayExceptionMapper.toResponseOf(GatewayException.databaseUnavailable("The database is unreachable;"
                + " this needs it. Requests to /v1 with keys this node knows keep working. Try again shortly."));
    }
}
