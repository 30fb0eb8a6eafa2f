package io.tokenrouter.management;

import io.tokenrouter.observe.EventLog;
import io.tokenrouter.provider.ConnectionTestResult;
import io.tokenrouter.provider.PresetView;
import io.tokenrouter.provider.ProviderAdmin;
import io.tokenrouter.provider.ProviderDraft;
import io.tokenrouter.provider.ProviderService;
import io.tokenrouter.provider.ProviderView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** {@code /api/providers}: providers, presets, connection tests and model refresh. Admin only. */
@Path("providers")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ProvidersResource {

    @Inject
    ProviderAdmin admin;
    @Inject
    ProviderService service;
    @Inject
    EventLog events;

    @GET
    public ListPage<ProviderView> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                       @Context ContainerRequestContext request) {
        Guard.admin(request);
        return ListPage.of(admin.list(), offset, limit);
    }

    @GET
    @Path("presets")
    public List<PresetView> presets(@Context ContainerRequestContext request) {
        Guard.admin(request);
        return admin.presets();
    }

    @POST
    public Response create(ProviderDraft body, @Context ContainerRequestContext request) {
        Guard.admin(request);
        ProviderView created = admin.create(Validation.required(body));
        events.info("config", Guard.caller(request).keyName(), "Created provider '" + created.name() + "'");
        return Response.status(201).entity(created).build();
    }

    @GET
    @Path("{name}")
    public ProviderView get(@PathParam("name") String name, @Context ContainerRequestContext request) {
        Guard.admin(request);
        return admin.get(name);
    }

    @PATCH
    @Path("{name}")
    public ProviderView update(@PathParam("name") String name, ProviderDraft body, @Context ContainerRequestContext request) {
        Guard.admin(request);
        ProviderView updated = admin.update(name, Validation.required(body));
        events.info("config", Guard.caller(request).keyName(), "Changed provider '" + name + "'");
        return updated;
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name, @Context ContainerRequestContext request) {
        Guard.admin(request);
        admin.delete(name);
        events.info("config", Guard.caller(request).keyName(), "Deleted provider '" + name + "'");
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/test")
    public ConnectionTestResult test(@PathParam("name") String name, @Context ContainerRequestContext request) {
        Guard.admin(request);
        return service.test(name);
    }

    @POST
    @Path("{name}/refresh")
    public Map<String, Object> refresh(@PathParam("name") String name, @Context ContainerRequestContext request) {
        Guard.admin(request);
        List<String> models = service.refresh(name);
        return Map.of("provider", name, "models", models);
    }
}
