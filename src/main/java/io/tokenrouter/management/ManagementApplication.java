package io.tokenrouter.management;

import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import io.tokenrouter.proxy.GatewayApplication;

/** The JAX-RS application behind {@code /api}: the management API. */
public class ManagementApplication extends GatewayApplication {

    public ManagementApplication() {
        register(BodyLimitFilter.class);
        register(TeamsResource.class);
        register(KeysResource.class);
        register(MeResource.class);
        register(ProvidersResource.class);
        register(RoutingResource.class);
        register(SessionResource.class);
        register(ObservingResource.class);
        register(StatusResource.class);
        register(OpenApiResource.class);
        register(new JacksonJsonProvider(ApiJson.MAPPER));
        property(io.tokenrouter.access.ApiKeyFilter.ACCEPT_SESSIONS, true);
    }
}
