package io.tokenrouter.proxy;

import io.swagger.v3.oas.annotations.tags.Tag;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.routing.ModelEntry;
import io.tokenrouter.routing.RouteTable;
import io.tokenrouter.routing.Routes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: every enabled provider's discovered models as
 * {@code provider/model} ids plus the aliases, from the route table (no upstream call per listing),
 * narrowed to what the caller's key may use. An Anthropic client (one that names its {@code anthropic-version}) gets
 * the fields of Anthropic's model list besides OpenAI's.
 */
@Tag(name = "OpenAI: models", description = "The models and aliases this key may use, as provider/model ids.")
@Path("models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final Routes routes;

    public ModelsResource(Routes routes) {
        this.routes = routes;
    }

    @GET
    public byte[] list(@Context ContainerRequestContext request) {
        boolean anthropic = anthropic(request);
        List<ModelEntry> models = visible(request);
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        models.forEach(m -> data.add(toJson(m, anthropic)));
        if (anthropic) {
            root.put("has_more", false);
            root.put("first_id", models.isEmpty() ? null : models.get(0).id());
            root.put("last_id", models.isEmpty() ? null : models.get(models.size() - 1).id());
        }
        return Json.bytes(root);
    }

    @GET
    @Path("{id: .+}")
    public byte[] get(@PathParam("id") String id, @Context ContainerRequestContext request) {
        return visible(request).stream().filter(m -> m.id().equals(id)).findFirst()
                .map(m -> Json.bytes(toJson(m, anthropic(request))))
                .orElseThrow(() -> GatewayException.modelNotFound(id));
    }

    /** Whether an Anthropic client asks (it names its API version): the models get the fields its SDKs read too. */
    private static boolean anthropic(ContainerRequestContext request) {
        return request.getHeaderString("anthropic-version") != null;
    }

    private List<ModelEntry> visible(ContainerRequestContext request) {
        Caller caller = (Caller) request.getProperty(Caller.PROPERTY);
        RouteTable table = routes.current();
        return table.models().stream().filter(m -> caller.mayUse(m.id())).toList();
    }

    private static ObjectNode toJson(ModelEntry m, boolean anthropic) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", m.id());
        node.put("object", "model");
        node.put("created", m.created());
        node.put("owned_by", m.ownedBy());
        if (anthropic) {
            node.put("type", "model");
            node.put("display_name", m.id());
            node.put("created_at", java.time.Instant.ofEpochSecond(m.created()).toString());
        }
        return node;
    }
}
