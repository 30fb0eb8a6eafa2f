package io.tokenrouter.management;

import io.tokenrouter.access.TeamService;
import io.tokenrouter.access.TeamView;
import io.tokenrouter.observe.EventLog;
import io.tokenrouter.quota.QuotaService;
import io.tokenrouter.quota.QuotaSpec;
import io.tokenrouter.quota.QuotaView;
import io.tokenrouter.store.Page;
import io.tokenrouter.store.Quota;
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
import java.util.List;

/** {@code /api/teams}: teams and their quotas. Admin only. */
@Path("teams")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TeamsResource {

    @Inject
    TeamService teams;
    @Inject
    QuotaService quotas;
    @Inject
    EventLog events;

    @GET
    public ListPage<TeamView> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                   @Context ContainerRequestContext request) {
        Guard.admin(request);
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        Page<TeamView> page = teams.list(from, size);
        return new ListPage<>(page.items().stream().map(this::withQuotas).toList(), page.total(), from, size);
    }

    @POST
    public Response create(Requests.TeamRequest body, @Context ContainerRequestContext request) {
        Guard.admin(request);
        List<QuotaSpec> specs = Validation.quotas(body == null ? null : body.quotas());
        Requests.TeamRequest b = Validation.required(body);
        TeamView team = teams.create(b.name(), b.description(), b.allowedModels(), b.disabled());
        events.info("config", Guard.caller(request).keyName(), "Created team '" + team.name() + "' #" + team.id());
        if (specs != null) {
            quotas.set(Quota.OWNER_TEAM, team.id(), specs);
        }
        return Response.status(201).entity(withQuotas(team)).build();
    }

    @GET
    @Path("{id}")
    public TeamView get(@PathParam("id") long id, @Context ContainerRequestContext request) {
        Guard.admin(request);
        return withQuotas(teams.get(id));
    }

    @PATCH
    @Path("{id}")
    public TeamView update(@PathParam("id") long id, Requests.TeamRequest body, @Context ContainerRequestContext request) {
        Guard.admin(request);
        Requests.TeamRequest b = Validation.required(body);
        List<QuotaSpec> specs = Validation.quotas(b.quotas());
        TeamView team = teams.update(id, b.name(), b.description(), b.allowedModels(), b.disabled());
        events.info("config", Guard.caller(request).keyName(), "Changed team '" + team.name() + "' #" + id);
        if (specs != null) {
            quotas.set(Quota.OWNER_TEAM, id, specs);
        }
        return withQuotas(team);
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") long id, @Context ContainerRequestContext request) {
        Guard.admin(request);
        teams.delete(id);
        events.info("config", Guard.caller(request).keyName(), "Deleted team #" + id);
        return Response.noContent().build();
    }

    @PUT
    @Path("{id}/quotas")
    public List<QuotaView> setQuotas(@PathParam("id") long id, Requests.QuotasRequest body,
                                     @Context ContainerRequestContext request) {
        Guard.admin(request);
        teams.find(id);
        return quotas.set(Quota.OWNER_TEAM, id, Validation.quotas(Validation.required(body).quotas()));
    }

    @POST
    @Path("{id}/reset")
    public TeamView reset(@PathParam("id") long id, @Context ContainerRequestContext request) {
        Guard.admin(request);
        teams.find(id);
        quotas.reset(Quota.OWNER_TEAM, id);
        events.info("config", Guard.caller(request).keyName(), "Reset the quotas of team #" + id);
        return withQuotas(teams.get(id));
    }

    private TeamView withQuotas(TeamView team) {
        return team.withQuotas(quotas.view(Quota.OWNER_TEAM, team.id()));
    }
}
