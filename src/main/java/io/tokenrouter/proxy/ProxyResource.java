package io.tokenrouter.proxy;

import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
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
    @Inject
    io.tokenrouter.config.GatewaySettings settings;

    private volatile ClientAddresses addresses;

    @POST
    @Path("chat/completions")
    public void chatCompletions(InputStream body, @Context ContainerRequestContext request,
                                @Context HttpServletRequest servlet, @Suspended AsyncResponse async) {
        forward(Endpoint.CHAT_COMPLETIONS, body, request, servlet, async);
    }

    @POST
    @Path("completions")
    public void completions(InputStream body, @Context ContainerRequestContext request,
                            @Context HttpServletRequest servlet, @Suspended AsyncResponse async) {
        forward(Endpoint.COMPLETIONS, body, request, servlet, async);
    }

    @POST
    @Path("embeddings")
    public void embeddings(InputStream body, @Context ContainerRequestContext request,
                           @Context HttpServletRequest servlet, @Suspended AsyncResponse async) {
        forward(Endpoint.EMBEDDINGS, body, request, servlet, async);
    }

    @POST
    @Path("responses")
    public void responses(InputStream body, @Context ContainerRequestContext request,
                          @Context HttpServletRequest servlet, @Suspended AsyncResponse async) {
        forward(Endpoint.RESPONSES, body, request, servlet, async);
    }

    private String clientAddress(HttpServletRequest servlet, ContainerRequestContext request) {
        ClientAddresses resolver = addresses;
        if (resolver == null) {
            resolver = new ClientAddresses(settings.trustedProxies());
            addresses = resolver;
        }
        return resolver.resolve(servlet.getRemoteAddr(), request.getHeaderString("X-Forwarded-For"),
                request.getHeaderString("Forwarded"));
    }

    private void forward(Endpoint endpoint, InputStream body, ContainerRequestContext request,
                         HttpServletRequest servlet, AsyncResponse async) {
        try {
            byte[] raw = bodies.read(body, request.getHeaderString("Content-Length"));
            Caller caller = (Caller) request.getProperty(Caller.PROPERTY);
            ClientInfo client = new ClientInfo(clientAddress(servlet, request), request.getHeaderString("User-Agent"),
                    request.getHeaderString("X-Conversation-ID"));
            forwarder.forward(endpoint, raw, caller, client, request.getHeaderString("OpenAI-Beta"), async);
        } catch (RuntimeException e) {
            async.resume(e);
        }
    }
}
