package io.tokenrouter.management;

import io.tokenrouter.store.OwnerType;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.access.Caller;
import io.tokenrouter.access.KeyView;
import io.tokenrouter.quota.QuotaService;
import io.tokenrouter.store.ApiKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/me}: the calling key, what it may use, and every limit its requests count against
 * (its own, each ancestor's and its team's) with where each stands. Any role.
 */
@Tag(name = "Me", description = "The calling key: who it is, its quotas, and temporary keys beneath it.")
@Path("me")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {

    @Inject
    ApiKeyRepository keys;
    @Inject
    QuotaService quotas;

    @GET
    public Map<String, Object> me(@Context ContainerRequestContext request) {
        Caller caller = Guard.caller(request);
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("key", KeyView.of(keys.find(caller.keyId()).orElseThrow()).withQuotas(quotas.view(OwnerType.KEY, caller.keyId())));
        me.put("role", caller.role().wireName());
        me.put("team", caller.teamId() == null ? null : Map.of("id", caller.teamId(), "name", caller.teamName()));
        me.put("effective_expires_at", caller.expiresAt());
        me.put("effective_allowed_models", caller.allowedModels() == null ? null : caller.allowedModels().stream().sorted().toList());
        List<Map<String, Object>> limits = new ArrayList<>();
        for (Long id : caller.chain()) {
            quotas.view(OwnerType.KEY, id).forEach(q -> limits.add(limit(id.equals(caller.keyId()) ? "key" : "parent_key",
                    caller.chainNames().get(id), q)));
        }
        if (caller.teamId() != null) {
            quotas.view(OwnerType.TEAM, caller.teamId()).forEach(q -> limits.add(limit("team", caller.teamName(), q)));
        }
        me.put("limits", limits);
        return me;
    }

    private static Map<String, Object> limit(String owner, String name, Object quota) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("owner", owner);
        entry.put("name", name);
        entry.put("quota", quota);
        return entry;
    }
}
