package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.provider.ConnectionTestResult;
import io.tokenrouter.provider.DeviceSignIn;
import io.tokenrouter.provider.PresetView;
import io.tokenrouter.provider.ProviderService;
import io.tokenrouter.provider.ProviderDraft;
import io.tokenrouter.provider.ProviderProbeService;
import io.tokenrouter.provider.ProviderView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** {@code /api/providers}: providers, presets, connection tests and model refresh. Admin only. */
@Tag(name = "Providers", description = "Providers from presets, their keys, connection tests and model discovery (admins).")
@Path("providers")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ProvidersResource {

    @Inject
    ProviderService admin;
    @Inject
    ProviderProbeService service;
    @Inject
    DeviceSignIn signIns;

    @GET
    public ListPage<ProviderView> list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
                                       @Context ContainerRequestContext request) {
        return ListPage.of(admin.list(Guard.caller(request)), offset, limit);
    }

    /** This node's view of failing targets and cool-downs (per node: each node observes the providers itself). */
    @GET
    @Path("health")
    public ProviderService.Health health(@Context ContainerRequestContext request) {
        return admin.health(Guard.caller(request));
    }

    @GET
    @Path("presets")
    public List<PresetView> presets(@Context ContainerRequestContext request) {
        return admin.presets(Guard.caller(request));
    }

    @POST
    public Response create(ProviderDraft body, @Context ContainerRequestContext request) {
        return Response.status(201).entity(admin.create(Guard.caller(request), Validation.required(body))).build();
    }

    @GET
    @Path("{name}")
    public ProviderView get(@PathParam("name") String name, @Context ContainerRequestContext request) {
        return admin.get(Guard.caller(request), name);
    }

    @PATCH
    @Path("{name}")
    public ProviderView update(@PathParam("name") String name, ProviderDraft body, @Context ContainerRequestContext request) {
        return admin.update(Guard.caller(request), name, Validation.required(body));
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name, @Context ContainerRequestContext request) {
        admin.delete(Guard.caller(request), name);
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/test")
    public ConnectionTestResult test(@PathParam("name") String name, @Context ContainerRequestContext request) {
        return service.test(Guard.caller(request), name);
    }

    /**
     * Where a sign-in is asked for and for which OAuth app (both optional: the preset's), and (polling) the device
     * code it was started with.
     */
    public record SignIn(String server, String clientId, String deviceCode) {
    }

    /**
     * Starts signing in a provider whose key only a sign-in gives (GitHub Copilot): the answer has the code to enter
     * at its {@code verification_uri} and the {@code device_code} to poll with. {@code server} names another sign-in
     * server of the same kind (GitHub Enterprise Server); by default the preset's.
     */
    @POST
    @Path("{name}/sign-in")
    public DeviceSignIn.Started signIn(@PathParam("name") String name, SignIn body, @Context ContainerRequestContext request) {
        return signIns.start(Guard.caller(request), name, body == null ? null : body.server(),
                body == null ? null : body.clientId());
    }

    /** Asks whether the code was entered: 202 while not yet, 200 once the provider's key is stored. */
    @POST
    @Path("{name}/sign-in/poll")
    public Response pollSignIn(@PathParam("name") String name, SignIn body, @Context ContainerRequestContext request) {
        SignIn asked = Validation.required(body);
        DeviceSignIn.Polled polled = signIns.poll(Guard.caller(request), name, asked.deviceCode(), asked.server(),
                asked.clientId());
        return Response.status(polled.pending() ? 202 : 200).entity(polled).build();
    }

    @POST
    @Path("{name}/refresh")
    public Answers.Refreshed refresh(@PathParam("name") String name, @Context ContainerRequestContext request) {
        return new Answers.Refreshed(name, service.refresh(Guard.caller(request), name));
    }
}
