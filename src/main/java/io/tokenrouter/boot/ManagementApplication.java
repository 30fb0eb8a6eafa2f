package io.tokenrouter.boot;

import io.tokenrouter.management.AuditResource;
import io.tokenrouter.management.RefusalAudit;
import io.tokenrouter.management.MeResource;
import io.tokenrouter.management.TeamsResource;
import io.tokenrouter.management.RoutingResource;
import io.tokenrouter.management.KeysResource;
import io.tokenrouter.management.ObservingResource;
import io.tokenrouter.management.BodyLimitFilter;
import io.tokenrouter.management.ProvidersResource;
import io.tokenrouter.management.StatusResource;
import io.tokenrouter.management.SessionResource;
import io.tokenrouter.management.ApiJson;
import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import io.tokenrouter.boot.GatewayApplication;

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
        register(AuditResource.class);
        register(io.tokenrouter.management.PeopleResource.class);
        register(io.tokenrouter.management.SsoResource.class);
        register(RefusalAudit.class);
        register(OpenApiResource.class);
        register(new JacksonJsonProvider(ApiJson.MAPPER));
        property(io.tokenrouter.access.ApiKeyFilter.ACCEPT_SESSIONS, true);
    }
}
