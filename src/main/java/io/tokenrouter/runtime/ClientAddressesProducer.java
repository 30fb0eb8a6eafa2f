package io.tokenrouter.runtime;

import io.tokenrouter.config.GatewaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one {@link ClientAddresses} of the application: its header checked once, its trusted proxies the
 * cluster's current ones (changed by admins at run time, followed within {@code route_refresh_interval}).
 */
@ApplicationScoped
public class ClientAddressesProducer {

    @Produces
    @Singleton
    ClientAddresses addresses(GatewaySettings settings, RuntimeSettings runtime) {
        ClientAddresses.of(settings); // the file's settings are checked at start, whatever the database says later
        return new ClientAddresses(() -> runtime.operations().trustedProxies(),
                ClientAddresses.Header.parse(settings.trustedProxyHeader()));
    }
}
