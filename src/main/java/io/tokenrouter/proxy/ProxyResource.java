package io.tokenrouter.proxy;

import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;

/** The OpenAI inference endpoints. Each reads its body with the size limit and hands it to the {@link Forwarder}. */
@Path("")
@ApplicationScoped
@Consumes(MediaType.APPLICATION_JSON)
public class ProxyResource {

    @Inject
    Forwarder forwarder;
    @Inject
    RequestBodies bodies;

    @POST
    @Path("chat/completions")
    public void chatCompletions(InputStream body, @Context ContainerRequestContext request,
                                @Suspended AsyncResponse async) {
        forward(Endpoint.CHAT_COMPLETIONS, body, request, async);
    }

    @POST
    @Path("completions")
    public void completions(InputStream body, @Context ContainerRequestContext request,
                          @Suspended AsyncResponse async) {
        forward(Endpoint.COMPLETIONS, body, request, async);
    }

    @POST
    @Path("embeddings")
    public void embeddings(InputStream body, @Context ContainerRequestContext request,
                          @Suspended AsyncResponse async) {
        forward(Endpoint.EMBEDDINGS, body, request, async);
    }

    @POST
    @Path("responses")
    public void responses(InputStream body, @Context ContainerRequestContext request,
                          @Suspended AsyncResponse async) {
        forward(Endpoint.RESPONSES, body, request, async);
    }

    private void forward(Endpoint endpoint, InputStream body, ContainerRequestContext request, AsyncResponse async) {
        try {
            RequestTrace trace = (RequestTrace) request.getProperty(RequestTrace.PROPERTY);
            trace.endpoint = endpoint;
            trace.caller = (Caller) request.getProperty(Caller.PROPERTY);
            byte[] raw = bodies.read(body, request.getHeaderString("Content-Length"));
            forwarder.forward(trace, raw, request.getHeaderString("OpenAI-Beta"), async);
        } catch (RuntimeException e) {
            async.resume(e);
        }
    }
}
