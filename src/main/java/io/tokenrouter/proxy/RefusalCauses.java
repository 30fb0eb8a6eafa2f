package io.tokenrouter.proxy;

import io.tokenrouter.api.GatewayExceptionMapper;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;

/**
 * Keeps the exception that refused a {@code /v1} request on its {@link RequestTrace}, as the error it is answered
 * with, so that {@link RequestTraceFilter} logs the refusal from its cause rather than from the bytes written.
 * Jersey reports an exception (from a filter, the resource or its own matching) before the exception mappers and
 * the response filters run.
 */
public class RefusalCauses implements ApplicationEventListener {

    private static final RequestEventListener ON_EXCEPTION = event -> {
        if (event.getType() == RequestEvent.Type.ON_EXCEPTION
                && event.getContainerRequest().getProperty(RequestTrace.PROPERTY) instanceof RequestTrace trace
                && trace.refusal == null) {
            trace.refusal = GatewayExceptionMapper.of(answered(event.getException()));
        }
    };

    /**
     * The exception an exception mapper answers: Jersey reports what a filter or resource threw wrapped
     * ({@code MappableException}, {@code ProcessingException}), and maps the first cause it has a mapper for.
     */
    static Throwable answered(Throwable reported) {
        Throwable cause = reported;
        for (int depth = 0; cause != null && depth < 10; depth++, cause = cause.getCause()) {
            if (cause instanceof io.tokenrouter.api.GatewayException
                    || cause instanceof jakarta.ws.rs.WebApplicationException
                    || cause instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                return cause;
            }
        }
        return reported;
    }

    @Override
    public void onEvent(ApplicationEvent event) {
        // nothing to do for the application's own events
    }

    @Override
    public RequestEventListener onRequest(RequestEvent event) {
        return ON_EXCEPTION;
    }
}
