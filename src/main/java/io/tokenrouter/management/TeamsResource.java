package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.access.TeamDraft;
import io.tokenrouter.access.TeamService;
import io.tokenrouter.access.TeamView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /api/teams}: teams and their quotas (admin only), as adapters to {@link TeamService}. */
@Tag(name = "Teams", description = "Teams, their allowed models, quotas and budgets, unmetered costs allowed (admins).")
@Path("teams")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TeamsResource {

    @Inject
    TeamService teams;

    @GET
    public ListPage<TeamView> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                   @Context ContainerRequestContext request) {
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(teams.list(Guard.caller(request), from, size), from, size);
    }

    @POST
    public Response create(TeamDraft body, @Context ContainerRequestContext request) {
        return Response.status(201).entity(teams.create(Guard.caller(request), Validation.required(body))).build();
    }

    @GET
    @Path("{id}")
    public TeamView get(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return teams.get(Guard.caller(request), id);
    }

    @PATCH
    @Path("{id}")
    public TeamView update(@PathParam("id") long id, TeamDraft body, @Context ContainerRequestContext request) {
        return teams.update(Guard.caller(request), id, Validation.required(body));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") long id, @Context ContainerRequestContext request) {
        teams.delete(Guard.caller(request), id);
        return Response.noContent().build();
    }

    @PUT
    @Path("{id}/quotas")
    public Object setQuotas(@PathParam("id") long id, Requests.QuotasRequest body,
                            @Context ContainerRequestContext request) {
        return teams.setQuotas(Guard.caller(request), id, Validation.required(body).quotas()).quotas();
    }

    @POST
    @Path("{id}/reset")
    public TeamView reset(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return teams.reset(Guard.caller(request), id);
    }
}
