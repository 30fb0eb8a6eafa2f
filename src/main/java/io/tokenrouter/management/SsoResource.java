package io.tokenrouter.management;

import io.tokenrouter.access.KeyView;
import io.tokenrouter.access.PublicEndpoint;
import io.tokenrouter.runtime.ClientAddresses;
import io.tokenrouter.sso.DeviceLogin;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code toro login}: {@code POST /api/sso/device} starts a device sign-in at the identity provider (the person
 * approves it in a browser); {@code POST /api/sso/device/token} with its {@code device_code} answers
 * {@code authorization_pending} or {@code slow_down} (400) until they have, then their new key, shown once.
 */
@Tag(name = "Single sign-on", description = "Signing in on the command line through the identity provider (toro login).")
@Path("sso/device")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SsoResource {

    @Inject
    DeviceLogin login;
    @Inject
    ClientAddresses addresses;
    @Context
    HttpServletRequest servlet;

    /** The poll: the device code the start answered. */
    record Poll(String deviceCode) {
    }

    /** A finished sign-in: who, as what, and their new key (the secret shown once) beneath which parent. */
    record LoggedIn(String key, String person, String role, String parent, KeyView details) {
    }

    @POST
    @PublicEndpoint
    public DeviceLogin.Started start(@Context ContainerRequestContext request) {
        return login.start(clientIp(request));
    }

    @POST
    @Path("token")
    @PublicEndpoint
    public LoggedIn poll(Poll body, @Context ContainerRequestContext request) {
        DeviceLogin.Finished finished = login.poll(Validation.required(body).deviceCode(), clientIp(request));
        return new LoggedIn(finished.key().secret(), finished.person(), finished.role(), finished.parent(),
                finished.key().key());
    }

    private String clientIp(ContainerRequestContext request) {
        return addresses.resolve(servlet.getRemoteAddr(), request.getHeaders());
    }
}
