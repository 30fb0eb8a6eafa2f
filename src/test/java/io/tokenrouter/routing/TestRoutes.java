package io.tokenrouter.routing;

import io.tokenrouter.config.GatewaySettings;

/** Routes for tests of components that read only the operational settings: the file's, nothing stored. */
public final class TestRoutes {

    private TestRoutes() {
    }

    public static Routes fromFile(GatewaySettings settings) {
        Routes routes = new Routes();
        routes.settings = settings;
        return routes;
    }
}
