package io.tokenrouter.proxy;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/**
 * The inference endpoints: OpenAI's, and Anthropic's Messages API ({@code messages}, {@code messages/count_tokens}).
 * Each reads its body with the size limit and hands it to the {@link Forwarder}.
 * The body is read from the request's entity stream, not through an entity parameter: the gateway wants
 * the bytes, and an entity parameter makes Jersey pick a message body reader on every request. The OpenAPI
 * document learns of the body from {@link RequestBody}.
 */
@Tag(name = "OpenAI: inference", description = "Chat completions, completions, embeddings and responses, streamed or not, routed to the providers.")
@Path("")
@Consumes(MediaType.APPLICATION_JSON)
public class ProxyResource {

    private final Forwarder forwarder;
    private final RequestBodies bodies;

    public ProxyResource(Forwarder forwarder, RequestBodies bodies) {
        this.forwarder = forwarder;
        this.bodies = bodies;
    }

    @POST
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")))
    @Path("chat/completions")
    public void chatCompletions(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        forward(Endpoint.CHAT_COMPLETIONS, request, async);
    }

    @POST
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")))
    @Path("completions")
    public void completions(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        forward(Endpoint.COMPLETIONS, request, async);
    }

    @POST
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")))
    @Path("embeddings")
    public void embeddings(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        forward(Endpoint.EMBEDDINGS, request, async);
    }

    @POST
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")))
    @Path("responses")
    public void responses(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        forward(Endpoint.RESPONSES, request, async);
    }

    @POST
    @Tag(name = "Anthropic: messages")
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")))
    @Path("messages")
    public void messages(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        forward(Endpoint.MESSAGES, request, async);
    }

    @POST
    @Tag(name = "Anthropic: messages")
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object")))
    @Path("messages/count_tokens")
    public void countTokens(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        forward(Endpoint.COUNT_TOKENS, request, async);
    }

    private void forward(Endpoint endpoint, ContainerRequestContext request, AsyncResponse async) {
        try {
            RequestTrace trace = (RequestTrace) request.getProperty(RequestTrace.PROPERTY);
            trace.endpoint = endpoint;
            trace.caller = (Caller) request.getProperty(Caller.PROPERTY);
            // a chunked body's length is what arrives, whatever a Content-Length beside it says
            byte[] raw = bodies.read(request.getEntityStream(), request.getHeaderString("Transfer-Encoding") != null ? null
                    : request.getHeaderString("Content-Length"));
            forwarder.forward(trace, raw, new Forwarder.ClientHeaders(request.getHeaderString("OpenAI-Beta"),
                    request.getHeaderString("anthropic-version"), request.getHeaderString("anthropic-beta"),
                    endpoint.anthropic() ? request.getUriInfo().getRequestUri().getRawQuery() : null), async);
        } catch (RuntimeException e) {
            async.resume(e);
        }
    }
}
