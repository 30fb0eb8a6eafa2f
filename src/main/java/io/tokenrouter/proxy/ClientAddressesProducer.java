package io.tokenrouter.proxy;

import io.tokenrouter.config.GatewaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one {@link ClientAddresses} of the application, built (and its settings checked) once. */
@ApplicationScoped
public class ClientAddressesProducer {

    @Produces
    @Singleton
    ClientAddresses addresses(GatewaySettings settings) {
        return ClientAddresses.of(settings);
    }
}
