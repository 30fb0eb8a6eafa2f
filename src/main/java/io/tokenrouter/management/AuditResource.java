package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.access.AuditService;
import io.tokenrouter.store.AuditRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Instant;

/**
 * The audit trail for admins: {@code GET /api/audit} sends its entries from {@code from} to {@code to} as JSON
 * Lines, oldest first, read from the database a page at a time however long the range; {@code GET
 * /api/audit/verify} walks the whole chain and says whether it holds, and if not, where it breaks.
 */
@Tag(name = "Audit", description = "The chained audit trail: export as JSON Lines, and verification.")
@Path("audit")
@ApplicationScoped
public class AuditResource {

    /** JSON Lines, one entry a line. */
    static final String JSON_LINES = "application/x-ndjson";

    @Inject
    AuditService audit;

    @GET
    @Produces({JSON_LINES, MediaType.APPLICATION_JSON})
    public Response export(@QueryParam("from") String from, @QueryParam("to") String to,
                           @Context ContainerRequestContext request) {
        Instant start = ObservingResource.time("from", from, null);
        Instant end = ObservingResource.time("to", to, null);
        AuditService.Export entries = audit.export(Guard.caller(request), start, end);
        StreamingOutput body = entries::writeTo;
        return Response.ok(body, JSON_LINES).build();
    }

    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    public AuditRepository.Verification verify(@Context ContainerRequestContext request) {
        return audit.verify(Guard.caller(request));
    }
}
