package io.tokenrouter.management;

import io.tokenrouter.access.AdminAccess;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.PublicEndpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.observe.EventLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * First-run setup and the console's sign-in check. Both answer without a key: setup needs the
 * one-time token from the server log, sign-in an admin or keymaster key or the admin password.
 */
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    @Inject
    AdminAccess access;
    @Inject
    EventLog events;

    @GET
    @Path("setup")
    @PublicEndpoint
    public Map<String, Object> setupState() {
        return Map.of("setup_pending", access.setupPending());
    }

    @POST
    @Path("setup")
    @PublicEndpoint
    public Response setup(Requests.SetupRequest body) {
        Requests.SetupRequest b = Validation.required(body);
        CreatedKey created;
        try {
            created = access.setup(b.setupToken(), b.name());
        } catch (GatewayException e) {
            events.warn("sign-in", null, "Refused first-run setup: " + e.getMessage());
            throw e;
        }
        events.info("sign-in", created.key().name(), "Created the first admin key with the setup token");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("key", created.secret());
        answer.put("warning", "Store this key now: it cannot be shown again.");
        answer.put("details", created.key());
        return Response.status(201).entity(answer).build();
    }

    @POST
    @Path("session")
    @PublicEndpoint
    public AdminAccess.SignedIn signIn(Requests.SessionRequest body) {
        Requests.SessionRequest b = Validation.required(body);
        try {
            AdminAccess.SignedIn signedIn = access.signIn(b.key(), b.password());
            events.info("sign-in", signedIn.name(), "Signed in as " + signedIn.role().wireName());
            return signedIn;
        } catch (GatewayException e) {
            events.warn("sign-in", null, "Failed sign-in: " + e.getMessage());
            throw e;
        }
    }
}
