package io.tokenrouter.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokenrouter.store.AuditRepository;
import io.tokenrouter.store.EventRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * What the access services record of who did what, on the caller's thread and in the transaction of the change
 * itself, so an entry commits with its change or not at all: configuration changes, naming who made them as
 * "name #id", sign-ins, refused sign-ins, sign-outs, clean-ups, and pages or calls refused to a key's role. Each goes to the operational log ({@code
 * events}, pruned after {@code event_retention}) and to the chained audit trail ({@link AuditRepository}), which
 * the gateway never prunes, with the client's address where there is a request.
 */
@ApplicationScoped
public class AuditTrail {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
    /** The action of a configuration change in the audit trail. */
    public static final String CHANGE = "change";

    @Inject
    EventRepository events;
    @Inject
    AuditRepository chain;
    /** Who (a key, a client address) had a refusal recorded in the last minute. */
    private final Cache<String, Boolean> refusedRecently = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    public AuditTrail() {
    }

    /** A trail on these repositories, outside a container. */
    public AuditTrail(EventRepository events, AuditRepository chain) {
        this.events = events;
        this.chain = chain;
    }

    /** A configuration change by {@code actor}, from the current request's address. */
    public void record(Caller actor, String message) {
        recordAs(Authorization.actorName(actor), message);
    }

    /** A configuration change by {@code actor} (a person named as {@code "name #id"}), from the request's address. */
    public void recordAs(String actor, String message) {
        Instant now = Instant.now();
        events.store(now, "info", "config", actor, message);
        chain.append(now, actor, RequestOrigin.address(), CHANGE, "ok", message);
    }

    /**
     * A change the gateway made by itself, because of {@code cause} (the setting that made it), in the audit trail
     * (the operational log has its own entry of it).
     */
    public void bySystem(String cause, String message) {
        chain.append(Instant.now(), "system (" + cause + ")", null, CHANGE, "ok", message);
    }

    /**
     * {@code actor} was refused {@code what} (a page or call its role does not reach): recorded once a minute per key,
     * so that a key probing the API leaves an entry a minute, not one a request.
     */
    public void refused(Caller actor, String what) {
        String name = Authorization.actorName(actor);
        String message = "Refused " + what + " to a key of role " + actor.role().wireName();
        try {
            refusedOnceAMinute("key " + actor.keyId(), "of this key", "access", "access", name, null, message);
        } catch (RuntimeException e) {
            // the refusal stands whether or not it could be written down (the database may be unreachable)
            LOG.warning(name + ": " + message + "; not in the audit trail: " + e);
        }
    }

    /**
     * A sign-in refused before anyone was identified (a made-up or replayed answer from an identity provider),
     * from {@code clientIp}: recorded once a minute per address.
     */
    public void refusedSignIn(String clientIp, String message) {
        refusedOnceAMinute("sign-in address " + clientIp, "from this address", "sign-in", "sign-in", null, clientIp,
                message);
    }

    /**
     * A refusal recorded with {@link #note} only when it is the first of {@code who} (a key, a client address) in a
     * minute, saying that further ones ({@code whose}: "of this key", "from this address") are not: a flood of
     * refusals leaves one entry a minute, not one a request.
     */
    void refusedOnceAMinute(String who, String whose, String category, String action, String actor, String clientIp,
                            String message) {
        if (refusedRecently.asMap().putIfAbsent(who, Boolean.TRUE) == null) {
            note(category, action, true, actor, clientIp, message + " (further refusals " + whose
                    + " in the next minute are not recorded)");
        }
    }

    /**
     * Any other entry: {@code action} (sign-in, sign-out, setup, cleanup) by {@code actor} (null when nobody is
     * known), refused or not, from {@code clientIp} (null: the current request's, if any); in the operational log's
     * {@code category}.
     */
    public void note(String category, String action, boolean refused, String actor, String clientIp, String message) {
        Instant now = Instant.now();
        events.store(now, refused ? "warn" : "info", category, actor, message);
        chain.append(now, actor, clientIp != null ? clientIp : RequestOrigin.address(), action,
                refused ? "refused" : "ok", message);
    }
}
