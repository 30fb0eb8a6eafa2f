package io.tokenrouter.proxy;

import io.tokenrouter.runtime.ClientAddresses;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.ErrorBody;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

/**
 * Starts the {@link RequestTrace} of every {@code /v1} request before anything can refuse it, puts its
 * {@code x-request-id} on every answer, and records each refusal (an error answer given before the
 * request was forwarded: 400, 401, 403, 404, 405, 413, 415, 429) in the request log and the metrics, with the
 * code and message of the exception that refused it ({@link RefusalCauses}). An error answer of Anthropic's
 * Messages API, or to a client that names an {@code anthropic-version}, goes in Anthropic's envelope.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 500)
public class RequestTraceFilter implements ContainerRequestFilter, ContainerResponseFilter {

    @Inject
    RequestCompletion completion;
    @Inject
    ClientAddresses addresses;

    @Override
    public void filter(ContainerRequestContext request) {
        String peer = (String) request.getProperty(V1ServletFilter.ATTRIBUTE);
        ClientInfo client = new ClientInfo(addresses.resolve(peer, request.getHeaders()),
                request.getHeaderString("User-Agent"),
                request.getHeaderString("X-Conversation-ID"));
        request.setProperty(RequestTrace.PROPERTY, new RequestTrace(client));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        RequestTrace trace = (RequestTrace) request.getProperty(RequestTrace.PROPERTY);
        if (trace != null) {
            traced(request, response, trace);
        }
        // the last response filter of /v1 (no writer interceptor there): an answer of bytes says its length, since
        // Jersey buffers no answer to learn it (ProxyApplication)
        if (response.getEntity() instanceof byte[] bytes && !response.getHeaders().containsKey("Content-Length")) {
            response.getHeaders().putSingle("Content-Length", bytes.length);
        }
    }

    private void traced(ContainerRequestContext request, ContainerResponseContext response, RequestTrace trace) {
        response.getHeaders().putSingle("x-request-id", trace.requestId);
        if (response.getStatus() >= 400 && response.getEntity() instanceof byte[] body && isAnthropic(request)) {
            response.setEntity(ErrorBody.toAnthropic(body, response.getStatus()));
        }
        if (response.getStatus() >= 400 && !trace.forwarded) {
            if (trace.caller == null) {
                trace.caller = (Caller) request.getProperty(Caller.PROPERTY);
            }
            String path = trace.endpoint != null ? trace.endpoint.path() : request.getUriInfo().getPath();
            completion.refused(trace, path, response.getStatus(), trace.refusal);
        }
    }

    /**
     * Whether the request is to Anthropic's Messages API, or from an Anthropic client (it names its
     * {@code anthropic-version}), which reads errors in Anthropic's envelope.
     */
    private static boolean isAnthropic(ContainerRequestContext request) {
        if (request.getHeaderString("anthropic-version") != null) {
            return true;
        }
        String path = request.getUriInfo().getPath();
        Endpoint endpoint = Endpoint.ofPath(path.startsWith("/") ? path.substring(1) : path);
        return endpoint != null && endpoint.anthropic();
    }
}
