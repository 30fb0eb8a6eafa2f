package io.tokenrouter.management;

import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import io.tokenrouter.access.ApiKeyFilter;
import io.tokenrouter.api.GatewayExceptionMapper;
import io.tokenrouter.api.JsonParseExceptionMapper;
import io.tokenrouter.api.UnhandledExceptionMapper;
import io.tokenrouter.api.WebApplicationExceptionMapper;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** The JAX-RS application behind {@code /api}: the management API. */
public class ManagementApplication extends ResourceConfig {

    public ManagementApplication() {
        register(TeamsResource.class);
        register(KeysResource.class);
        register(MeResource.class);
        register(ProvidersResource.class);
        register(RoutingResource.class);
        register(SessionResource.class);
        register(ObservingResource.class);
        register(OpenApiResource.class);
        register(ApiKeyFilter.class);
        register(new JacksonJsonProvider(ApiJson.MAPPER));
        register(GatewayExceptionMapper.class);
        register(JsonParseExceptionMapper.class);
        register(WebApplicationExceptionMapper.class);
        register(UnhandledExceptionMapper.class);
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        property(CommonProperties.JSON_BINDING_FEATURE_DISABLE, true);
        property(CommonProperties.MOXY_JSON_FEATURE_DISABLE, true);
        property(CommonProperties.JSON_PROCESSING_FEATURE_DISABLE, true);
    }
}
