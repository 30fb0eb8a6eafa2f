package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.routing.AliasView;
import io.tokenrouter.routing.RoutingService;
import io.tokenrouter.routing.RoutingSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Aliases ({@code /api/aliases}), profiles ({@code /api/profiles}) and routing settings ({@code /api/settings}). Admin only. */
@Tag(name = "Routing and settings", description = "Aliases, profiles and the cluster-wide settings (admins).")
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RoutingResource {

    @Inject
    RoutingService admin;

    @GET
    @Path("aliases")
    public ListPage<AliasView> aliases(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                       @Context ContainerRequestContext request) {
        return ListPage.of(admin.aliases(Guard.caller(request)), offset, limit);
    }

    @GET
    @Path("aliases/{name}")
    public AliasView alias(@PathParam("name") String name, @Context ContainerRequestContext request) {
        return admin.alias(Guard.caller(request), name);
    }

    @PUT
    @Path("aliases/{name}")
    public AliasView putAlias(@PathParam("name") String name, Requests.AliasRequest body,
                              @Context ContainerRequestContext request) {
        return admin.putAlias(Guard.caller(request), name, Validation.required(body).targets());
    }

    @DELETE
    @Path("aliases/{name}")
    public Response deleteAlias(@PathParam("name") String name, @Context ContainerRequestContext request) {
        admin.deleteAlias(Guard.caller(request), name);
        return Response.noContent().build();
    }

    @GET
    @Path("profiles")
    public RoutingService.Profiles profiles(@Context ContainerRequestContext request) {
        return admin.profiles(Guard.caller(request));
    }

    @PUT
    @Path("profiles/active")
    public RoutingService.Profiles activate(Requests.ProfileRequest body, @Context ContainerRequestContext request) {
        return admin.activate(Guard.caller(request), Validation.required(body).profile());
    }

    @GET
    @Path("settings")
    public RoutingSettings settings(@Context ContainerRequestContext request) {
        return admin.settings(Guard.caller(request));
    }

    @PATCH
    @Path("settings")
    public RoutingSettings updateSettings(RoutingSettings body, @Context ContainerRequestContext request) {
        return admin.update(Guard.caller(request), Validation.required(body));
    }
}
