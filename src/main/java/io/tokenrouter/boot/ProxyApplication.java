package io.tokenrouter.boot;

import io.tokenrouter.proxy.ProxyResource;
import io.tokenrouter.proxy.RefusalCauses;
import io.tokenrouter.proxy.RequestBodies;
import io.tokenrouter.proxy.RequestTraceFilter;
import io.tokenrouter.proxy.ModelsResource;
import io.tokenrouter.proxy.Forwarder;
import io.tokenrouter.routing.Routes;
import jakarta.enterprise.inject.spi.CDI;

/**
 * The JAX-RS application behind {@code /v1}: the OpenAI-compatible surface. Its resources are registered
 * as instances, built once with the services they call: a resource class that is a CDI bean would be
 * looked up in CDI on every request (Jersey binds it per lookup), about 2% of a request thread's time
 * in the benchmark's profile.
 */
public class ProxyApplication extends GatewayApplication {

    public ProxyApplication() {
        register(RequestTraceFilter.class);
        register(RefusalCauses.class);
        // no 8-KiB copy of every answer to learn its length: every answer here is bytes, which say their length
        // (RequestTraceFilter); the management API keeps Jersey's buffer, so a failed serialisation is still a 500
        property(org.glassfish.jersey.server.ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0);
        register(new ProxyResource(bean(Forwarder.class), bean(RequestBodies.class)));
        register(new ModelsResource(bean(Routes.class)));
    }

    private static <T> T bean(Class<T> type) {
        return DirectBeans.instance(CDI.current().select(type).get());
    }
}
