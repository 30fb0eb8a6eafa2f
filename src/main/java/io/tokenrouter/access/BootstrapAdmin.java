package io.tokenrouter.access;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Makes the configured {@code admin_key} ({@code TOKENROUTER_ADMIN_KEY}) a working admin key, so the
 * gateway is usable before anyone has signed in to the console. Only its hash is stored.
 */
@ApplicationScoped
public class BootstrapAdmin {

    private static final Logger LOG = Logger.getLogger(BootstrapAdmin.class.getName());

    @Inject
    GatewaySettings settings;
    @Inject
    ApiKeyRepository keys;

    public void ensure() {
        if (settings.adminKey().isEmpty()) {
            return;
        }
        String secret = settings.adminKey().get();
        String hash = KeySecrets.hash(secret);
        if (keys.findByHash(hash).isPresent()) {
            return;
        }
        ApiKey key = new ApiKey();
        key.setName("bootstrap-admin");
        key.setKeyHash(hash);
        key.setDisplayPrefix(KeySecrets.displayPrefix(secret));
        key.setRole(Role.ADMIN.wireName());
        key.setCreatedBy("configuration");
        key.setCreatedAt(Instant.now());
        keys.store(key);
        LOG.info("Stored the configured admin key (" + key.getDisplayPrefix() + "…) as 'bootstrap-admin'");
    }
}
