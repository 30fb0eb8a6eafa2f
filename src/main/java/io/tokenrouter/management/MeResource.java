package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.access.KeyService;
import io.tokenrouter.access.MeView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

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
    KeyService keys;

    @GET
    public MeView me(@Context ContainerRequestContext request) {
        return keys.me(Guard.caller(request));
    }
}
