package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.access.PublicEndpoint;
import io.tokenrouter.observe.StatusService;
import io.tokenrouter.store.NodeRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code GET /api/status} (admins): what this node runs on — the container, the database (product, URL
 * without credentials, who pools the connections, which setting chose it), who creates its threads, and
 * the cluster's nodes. {@code GET /api/health} (public, for load balancers and container health checks):
 * 200 while this node's heartbeat reaches the database, else 503; it reads only memory.
 */
@Tag(name = "Status", description = "What this node sees of the gateway: database, cluster, version.")
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    /** Three missed heartbeats (every 10 s) and a node no longer counts as healthy. */
    static final Duration HEALTHY_WITHIN = Duration.ofSeconds(35);

    @Inject
    StatusService statusService;
    @Inject
    NodeRegistry node;

    @GET
    @Path("status")
    public StatusService.Status status(@Context ContainerRequestContext request, @Context ServletContext servlet) {
        return statusService.status(Guard.caller(request), servlet.getServerInfo());
    }

    @GET
    @Path("health")
    @PublicEndpoint
    public Response health() {
        Instant last = node.lastHeartbeat();
        boolean healthy = last != null && Duration.between(last, Instant.now()).compareTo(HEALTHY_WITHIN) < 0;
        String reason = healthy ? null : last == null ? "this node has not reached the database yet"
                : "this node has not reached the database for " + Duration.between(last, Instant.now()).toSeconds() + " s";
        return Response.status(healthy ? 200 : 503)
                .entity(new Answers.Health(healthy ? "ok" : "unavailable", node.nodeId(), last, reason)).build();
    }
}
