package io.tokenrouter.management;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.KeyDraft;
import io.tokenrouter.access.KeyService;
import io.tokenrouter.access.KeyView;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.Durations;
import io.tokenrouter.observe.EventLog;
import io.tokenrouter.quota.QuotaService;
import io.tokenrouter.quota.QuotaSpec;
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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/keys}: an admin manages every key; a keymaster creates, lists, changes, resets and revokes
 * keys beneath itself (never admin keys); an inferrer is refused. The secret is returned once, at creation.
 */
@Path("keys")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class KeysResource {

    @Inject
    KeyService keys;
    @Inject
    QuotaService quotas;
    @Inject
    EventLog events;

    @POST
    public Response create(Requests.KeyRequest body, @Context ContainerRequestContext request) {
        Caller actor = Guard.manager(request);
        Requests.KeyRequest b = Validation.required(body);
        List<QuotaSpec> specs = Validation.quotas(b.quotas());
        CreatedKey created = keys.create(actor, new KeyDraft(b.name(), b.role(), b.teamId(), b.parentId(), ttl(b.ttl()),
                b.expiresAt(), b.allowedModels()));
        if (specs != null) {
            quotas.set(Quota.OWNER_KEY, created.key().id(), specs);
        }
        events.info("config", actor.keyName(), "Created " + created.key().role() + " key '" + created.key().name()
                + "' #" + created.key().id());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("key", created.secret());
        answer.put("warning", "Store this key now: it cannot be shown again.");
        answer.put("details", withQuotas(created.key()));
        return Response.status(201).entity(answer).build();
    }

    @GET
    public ListPage<KeyView> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                  @Context ContainerRequestContext request) {
        Caller actor = Guard.manager(request);
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        Page<KeyView> page = keys.list(actor, from, size);
        return new ListPage<>(page.items().stream().map(this::withQuotas).toList(), page.total(), from, size);
    }

    @GET
    @Path("{id}")
    public KeyView get(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return withQuotas(keys.get(Guard.manager(request), id));
    }

    @PATCH
    @Path("{id}")
    public KeyView update(@PathParam("id") long id, Requests.KeyPatch body, @Context ContainerRequestContext request) {
        Caller actor = Guard.manager(request);
        Requests.KeyPatch b = Validation.required(body);
        List<QuotaSpec> specs = Validation.quotas(b.quotas());
        KeyView key = keys.update(actor, id, b.name(), b.allowedModels(), b.expiresAt(), b.captureConversations());
        events.info("config", actor.keyName(), "Changed key #" + id);
        if (specs != null) {
            quotas.set(Quota.OWNER_KEY, id, specs);
        }
        return withQuotas(key);
    }

    @PUT
    @Path("{id}/quotas")
    public KeyView setQuotas(@PathParam("id") long id, Requests.QuotasRequest body, @Context ContainerRequestContext request) {
        Caller actor = Guard.manager(request);
        keys.manageable(actor, id);
        quotas.set(Quota.OWNER_KEY, id, Validation.quotas(Validation.required(body).quotas()));
        return withQuotas(keys.get(actor, id));
    }

    @POST
    @Path("{id}/revoke")
    public KeyView revoke(@PathParam("id") long id, @Context ContainerRequestContext request) {
        Caller actor = Guard.manager(request);
        KeyView revoked = keys.revoke(actor, id);
        events.info("config", actor.keyName(), "Revoked key '" + revoked.name() + "' #" + id);
        return withQuotas(revoked);
    }

    @DELETE
    @Path("{id}")
    public KeyView delete(@PathParam("id") long id, @Context ContainerRequestContext request) {
        return revoke(id, request);
    }

    @POST
    @Path("{id}/reset")
    public KeyView reset(@PathParam("id") long id, @Context ContainerRequestContext request) {
        Caller actor = Guard.manager(request);
        keys.manageable(actor, id);
        quotas.reset(Quota.OWNER_KEY, id);
        events.info("config", actor.keyName(), "Reset the quotas of key #" + id);
        return withQuotas(keys.get(actor, id));
    }

    private KeyView withQuotas(KeyView key) {
        return key.withQuotas(quotas.view(Quota.OWNER_KEY, key.id()));
    }

    private static Duration ttl(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse("ttl", text);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest("ttl", e.getMessage());
        }
    }
}
