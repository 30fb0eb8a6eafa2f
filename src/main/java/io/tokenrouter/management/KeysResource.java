package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.KeyDraft;
import io.tokenrouter.access.KeyPatch;
import io.tokenrouter.access.KeyService;
import io.tokenrouter.access.KeyView;
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

/**
 * {@code /api/keys}, as adapters to {@link KeyService}: an admin manages every key; a keymaster creates,
 * lists, changes, resets and revokes keys beneath itself (never admin keys); an inferrer is refused. The
 * secret is returned once, at creation.
 */
@Tag(name = "Keys", description = "Keys and temporary keys, roles, expiry, quotas and budgets, unmetered costs allowed, revocation.")
@Path("keys")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class KeysResource {

    @Inject
    KeyService keys;

    @POST
    public Response create(Requests.KeyRequest body, @Context ContainerRequestContext request) {
        Requests.KeyRequest b = Validation.required(body);
        CreatedKey created = keys.create(Guard.caller(request), new KeyDraft(b.name(), b.role(), b.teamId(),
                b.parentId(), KeyDraft.ttl(b.ttl()), b.expiresAt(), b.allowedModels(), b.quotas()));
        return Response.status(201).entity(Answers.NewKey.of(created)).build();
    }

    @GET
    public ListPage<KeyView> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                  @Context ContainerRequestContext request) {
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(keys.list(Guard.caller(request), from, size), from, size);
    }

    @GET
    @Path("{id}")
    public KeyView get(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return keys.get(Guard.caller(request), id);
    }

    @PATCH
    @Path("{id}")
    public KeyView update(@PathParam("id") long id, KeyPatch body, @Context ContainerRequestContext request) {
        return keys.update(Guard.caller(request), id, Validation.required(body));
    }

    @PUT
    @Path("{id}/quotas")
    public KeyView setQuotas(@PathParam("id") long id, Requests.QuotasRequest body, @Context ContainerRequestContext request) {
        return keys.setQuotas(Guard.caller(request), id, Validation.required(body).quotas());
    }

    @POST
    @Path("{id}/revoke")
    public KeyView revoke(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return keys.revoke(Guard.caller(request), id);
    }

    @DELETE
    @Path("{id}")
    public KeyView delete(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return revoke(id, request);
    }

    @POST
    @Path("{id}/reset")
    public KeyView reset(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return keys.reset(Guard.caller(request), id);
    }
}
