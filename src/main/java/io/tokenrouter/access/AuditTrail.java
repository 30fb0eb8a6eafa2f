package io.tokenrouter.access;

import io.tokenrouter.store.EventRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * The operational log entries the access services write themselves, on the caller's thread: audit entries
 * of configuration changes (in the transaction of the change itself, so an entry commits with its change or
 * not at all, naming who made it as "name #id"), sign-ins and clean-ups.
 */
@ApplicationScoped
public class AuditTrail {

    @Inject
    EventRepository events;

    public void record(Caller actor, String message) {
        events.store(Instant.now(), "info", "config", Authorization.actorName(actor), message);
    }

    /** Any other entry: {@code level} info, warn or error, in {@code category}. */
    void note(String level, String category, String actor, String message) {
        events.store(Instant.now(), level, category, actor, message);
    }
}
