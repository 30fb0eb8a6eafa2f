package io.tokenrouter.proxy;

import io.tokenrouter.access.ApiKeyFilter;
import io.tokenrouter.api.GatewayExceptionMapper;
import io.tokenrouter.api.JsonParseExceptionMapper;
import io.tokenrouter.api.UnhandledExceptionMapper;
import io.tokenrouter.api.WebApplicationExceptionMapper;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** The JAX-RS application behind {@code /v1}: the OpenAI-compatible surface. */
public class ProxyApplication extends ResourceConfig {

    public ProxyApplication() {
        register(ProxyResource.class);
        register(ModelsResource.class);
        register(ApiKeyFilter.class);
        register(GatewayExceptionMapper.class);
        register(JsonParseExceptionMapper.class);
        register(WebApplicationExceptionMapper.class);
        register(UnhandledExceptionMapper.class);
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        property(CommonProperties.JSON_BINDING_FEATURE_DISABLE, true);
        property(CommonProperties.MOXY_JSON_FEATURE_DISABLE, true);
    }
}
