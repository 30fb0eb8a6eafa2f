package io.tokenrouter.boot;

import io.tokenrouter.access.ApiKeyFilter;
import io.tokenrouter.api.GatewayExceptionMapper;
import io.tokenrouter.api.JsonParseExceptionMapper;
import io.tokenrouter.api.UnhandledExceptionMapper;
import io.tokenrouter.api.WebApplicationExceptionMapper;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * What every JAX-RS application of the gateway shares: Bearer-key authentication, the exception
 * mappers that write the OpenAI error envelope, and no JSON-B/MOXy/WADL of Jersey's own.
 */
public abstract class GatewayApplication extends ResourceConfig {

    protected GatewayApplication() {
        register(ApiKeyFilter.class);
        register(GatewayExceptionMapper.class);
        register(JsonParseExceptionMapper.class);
        register(WebApplicationExceptionMapper.class);
        register(UnhandledExceptionMapper.class);
        register(DatabaseUnavailableMapper.class);
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        property(CommonProperties.JSON_BINDING_FEATURE_DISABLE, true);
        property(CommonProperties.MOXY_JSON_FEATURE_DISABLE, true);
        property(CommonProperties.JSON_PROCESSING_FEATURE_DISABLE, true);
        // Servers that bring Jersey's JSON features (Payara: JSON-B first) switch on only the one named here;
        // naming none of theirs keeps the gateway's own Jackson provider the only JSON writer.
        property("jersey.config.jsonFeature", "GatewayJackson");
    }
}
