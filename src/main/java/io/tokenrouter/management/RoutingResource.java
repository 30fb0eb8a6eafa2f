package io.tokenrouter.management;

import io.tokenrouter.observe.EventLog;
import io.tokenrouter.routing.AliasView;
import io.tokenrouter.routing.RoutingAdmin;
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
import java.util.Map;

/** Aliases ({@code /api/aliases}), profiles ({@code /api/profiles}) and routing settings ({@code /api/settings}). Admin only. */
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RoutingResource {

    @Inject
    RoutingAdmin admin;
    @Inject
    EventLog events;

    @GET
    @Path("aliases")
    public ListPage<AliasView> aliases(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                       @Context ContainerRequestContext request) {
        Guard.admin(request);
        return ListPage.of(admin.aliases(), offset, limit);
    }

    @GET
    @Path("aliases/{name}")
    public AliasView alias(@PathParam("name") String name, @Context ContainerRequestContext request) {
        Guard.admin(request);
        return admin.alias(name);
    }

    @PUT
    @Path("aliases/{name}")
    public AliasView putAlias(@PathParam("name") String name, Requests.AliasRequest body,
                              @Context ContainerRequestContext request) {
        Guard.admin(request);
        AliasView alias = admin.putAlias(name, Validation.required(body).targets());
        events.info("config", Guard.caller(request).keyName(), "Set alias '" + name + "'");
        return alias;
    }

    @DELETE
    @Path("aliases/{name}")
    public Response deleteAlias(@PathParam("name") String name, @Context ContainerRequestContext request) {
        Guard.admin(request);
        admin.deleteAlias(name);
        events.info("config", Guard.caller(request).keyName(), "Deleted alias '" + name + "'");
        return Response.noContent().build();
    }

    @GET
    @Path("profiles")
    public Map<String, Object> profiles(@Context ContainerRequestContext request) {
        Guard.admin(request);
        return admin.profiles();
    }

    @PUT
    @Path("profiles/active")
    public Map<String, Object> activate(Requests.ProfileRequest body, @Context ContainerRequestContext request) {
        Guard.admin(request);
        String profile = Validation.required(body).profile();
        if (profile == null || profile.isBlank()) {
            throw io.tokenrouter.api.GatewayException.invalidRequest("profile", "profile is required.");
        }
        admin.update(new RoutingSettings(null, null, null, profile, null));
        events.info("config", Guard.caller(request).keyName(), "Activated model profile '" + profile + "'");
        return admin.profiles();
    }

    @GET
    @Path("settings")
    public RoutingSettings settings(@Context ContainerRequestContext request) {
        Guard.admin(request);
        return admin.settings();
    }

    @PATCH
    @Path("settings")
    public RoutingSettings updateSettings(RoutingSettings body, @Context ContainerRequestContext request) {
        Guard.admin(request);
        RoutingSettings updated = admin.update(Validation.required(body));
        events.info("config", Guard.caller(request).keyName(), "Changed settings: " + body);
        return updated;
    }
}
