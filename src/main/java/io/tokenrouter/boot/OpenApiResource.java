package io.tokenrouter.boot;

import io.tokenrouter.management.MeResource;
import io.tokenrouter.management.TeamsResource;
import io.tokenrouter.management.RoutingResource;
import io.tokenrouter.management.KeysResource;
import io.tokenrouter.management.ObservingResource;
import io.tokenrouter.management.ProvidersResource;
import io.tokenrouter.management.StatusResource;
import io.tokenrouter.management.SessionResource;
import io.tokenrouter.management.ApiJson;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.tokenrouter.access.PublicEndpoint;
import io.tokenrouter.proxy.ModelsResource;
import io.tokenrouter.proxy.ProxyResource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;

/**
 * {@code GET /api/openapi.json}: one OpenAPI document for the OpenAI-compatible {@code /v1} surface and
 * the management API, read from the resources' JAX-RS annotations; Swagger UI at {@code /docs} shows it.
 */
@Path("openapi.json")
@ApplicationScoped
public class OpenApiResource {

    private volatile String document;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @PublicEndpoint
    public String document() throws Exception {
        if (document == null) {
            document = Json.pretty(build());
        }
        return document;
    }

    static OpenAPI build() {
        ModelConverters.getInstance().addConverter(new ModelResolver(ApiJson.MAPPER));
        OpenAPI api = new OpenAPI()
                .info(new Info().title("TokenRouter").version("1")
                        .description("OpenAI-compatible gateway (/v1) and its management API (/api)."))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"))
                .paths(new Paths());
        merge(api, "/v1", Set.of(ProxyResource.class, ModelsResource.class));
        merge(api, "/api", Set.of(TeamsResource.class, KeysResource.class, MeResource.class, ProvidersResource.class,
                RoutingResource.class, SessionResource.class, ObservingResource.class, StatusResource.class));
        return api;
    }

    private static void merge(OpenAPI api, String prefix, Set<Class<?>> resources) {
        OpenAPI part = new Reader(new SwaggerConfiguration().openAPI(new OpenAPI())).read(resources);
        if (part.getPaths() != null) {
            part.getPaths().forEach((path, item) -> api.getPaths().addPathItem(prefix + path, item));
        }
        if (part.getTags() != null) {
            part.getTags().forEach(api::addTagsItem);
        }
        if (part.getComponents() != null && part.getComponents().getSchemas() != null) {
            part.getComponents().getSchemas().forEach(api.getComponents()::addSchemas);
        }
    }
}
