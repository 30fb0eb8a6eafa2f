package io.tokenrouter.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the settings, loaded once per application, injectable. */
@ApplicationScoped
public class SettingsProducer {

    private final GatewaySettings settings = GatewaySettings.load();

    @Produces
    @Singleton
    GatewaySettings settings() {
        return settings;
    }
}
