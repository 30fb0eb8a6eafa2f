package io.tokenrouter.proxy;

import io.tokenrouter.access.BootstrapAdmin;
import io.tokenrouter.provider.ProviderSeeder;
import io.tokenrouter.provider.ProviderService;
import io.tokenrouter.routing.Routes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Logger;

/**
 * Brings the gateway up when the application starts, in order: database (migrated on first use),
 * configuration seeded into it, bootstrap admin key, route table, background model discovery. A
 * failure here fails the deployment, so a misconfiguration is seen at once.
 */
@ApplicationScoped
public class GatewayStartup {

    private static final Logger LOG = Logger.getLogger(GatewayStartup.class.getName());

    @Inject
    ProviderSeeder seeder;
    @Inject
    BootstrapAdmin bootstrapAdmin;
    @Inject
    Routes routes;
    @Inject
    ProviderService providers;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        seeder.seed();
        bootstrapAdmin.ensure();
        routes.start();
        providers.start();
        LOG.info("TokenRouter started");
    }
}
