package io.tokenrouter.access;

import io.tokenrouter.store.EventRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * The audit entries of configuration changes, written by the services in the transaction of the change
 * itself: an entry commits with its change or not at all, and names who made it ("name #id").
 */
@ApplicationScoped
public class AuditTrail {

    @Inject
    EventRepository events;

    public void record(Caller actor, String message) {
        events.store(Instant.now(), "info", "config", Authorization.actorName(actor), message);
    }
}
