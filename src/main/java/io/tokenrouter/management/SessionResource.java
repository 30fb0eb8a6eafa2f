package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.SetupService;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.PublicEndpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.access.ApiKeyFilter;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.runtime.ClientAddresses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * First-run setup and signing in. Setup needs the one-time token from the server log; signing in an
 * admin or keymaster key or the admin password, and opens a session whose token then authenticates
 * {@code /api} (and the console). Both are throttled per client address and per node.
 */
@Tag(name = "Sign-in and setup", description = "First-run setup and session tokens for the console and this API.")
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    @Inject
    SetupService access;
    @Inject
    SessionService sessions;
    @Inject
    ClientAddresses addresses;
    @Context
    HttpServletRequest servlet;

    @GET
    @Path("setup")
    @PublicEndpoint
    public Answers.SetupState setupState() {
        return new Answers.SetupState(access.setupPending());
    }

    @POST
    @Path("setup")
    @PublicEndpoint
    public Response setup(Requests.SetupRequest body, @Context ContainerRequestContext request) {
        Requests.SetupRequest b = Validation.required(body);
        CreatedKey created = sessions.setup(b.setupToken(), b.name(), clientIp(request));
        return Response.status(201).entity(Answers.NewKey.of(created)).build();
    }

    /** Signs in: {@code {"key":"tr-…"}} or {@code {"password":"…"}}; answers the session token, shown once. */
    @POST
    @Path("session")
    @PublicEndpoint
    public Response signIn(Requests.SessionRequest body, @Context ContainerRequestContext request) {
        Requests.SessionRequest b = Validation.required(body);
        SessionService.Opened opened = sessions.open(b.key(), b.password(), clientIp(request));
        return Response.status(201).entity(new Answers.Session(opened.token(), opened.principal(),
                opened.role().wireName(), opened.keyId(), opened.expiresAt())).build();
    }

    /** Signs the presenting session out. */
    @DELETE
    @Path("session")
    public Response signOut(@Context ContainerRequestContext request) {
        Object token = request.getProperty(ApiKeyFilter.SESSION_TOKEN);
        if (token == null) {
            throw GatewayException.invalidRequest(null, "Sign out with the session's token, not with a key.");
        }
        sessions.close((String) token, Authorization.actorName(Guard.caller(request)));
        return Response.noContent().build();
    }

    private String clientIp(ContainerRequestContext request) {
        return addresses.resolve(servlet.getRemoteAddr(), request.getHeaders());
    }
}
