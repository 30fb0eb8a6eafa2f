package io.tokenrouter.proxy;

/** The JAX-RS application behind {@code /v1}: the OpenAI-compatible surface. */
public class ProxyApplication extends GatewayApplication {

    public ProxyApplication() {
        register(RequestTraceFilter.class);
        register(ProxyResource.class);
        register(ModelsResource.class);
    }
}
