package io.tokenrouter.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.lifecycle.FinishedRequest;
import io.tokenrouter.lifecycle.RequestListener;
import io.tokenrouter.store.ResponseOwnerRepository;
import io.tokenrouter.store.ResponseOwnerRepository.Owner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which team each Responses API answer (and the conversation it belongs to) was given to, at which provider,
 * so that {@code previous_response_id} and {@code conversation} continue only a conversation of the caller's
 * own team: teams that share one provider organisation would otherwise read each other's conversations by
 * forwarding an id they learnt or guessed. Owners are stored off the request path in small batches (every
 * node sees them once stored, within milliseconds) and kept in a bounded cache; an id the gateway never
 * answered (older than the record, or from a direct call to the provider) is left to the provider. A key
 * without a team owns its answers alone.
 */
@ApplicationScoped
public class ResponseOwners implements RequestListener {

    private static final Logger LOG = Logger.getLogger(ResponseOwners.class.getName());
    /** Longer ids are not kept (the column holds 200 characters; providers' ids are far shorter). */
    static final int MAX_ID = 200;
    static final int MAX_PENDING = 10_000;

    @Inject
    ResponseOwnerRepository repository;
    @Inject
    Scheduler scheduler;

    /** What time it is; tests move it. */
    Clock clock = Clock.systemUTC();

    private final Cache<String, Owner> recent = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterWrite(Duration.ofHours(1)).build();
    private final ConcurrentLinkedQueue<Owner> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();

    /** Notes who was given a Responses API answer, and its conversation, with the context it carries on. */
    @Override
    public void finished(FinishedRequest request) {
        var r = request.record();
        if (request.endpoint() == Endpoint.RESPONSES && request.answered()) {
            remember(r.provider(), request.responseId(), r.keyId(), r.teamId(), r.usage().totalTokens());
            remember(r.provider(), request.conversationId(), r.keyId(), r.teamId());
        }
    }

    /** Notes that {@code id} (a response's or a conversation's) was answered at {@code provider} for this key and team. */
    public void remember(String provider, String id, Long keyId, Long teamId) {
        remember(provider, id, keyId, teamId, null);
    }

    /** {@link #remember(String, String, Long, Long)} with the context a continuation of {@code id} prepends. */
    public void remember(String provider, String id, Long keyId, Long teamId, Long contextTokens) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID) {
            return;
        }
        Owner owner = new Owner(provider, id, keyId, teamId, clock.instant(), contextTokens);
        if (recent.asMap().putIfAbsent(provider + "\n" + id, owner) != null) {
            return;
        }
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            LOG.warning("Response owners are " + MAX_PENDING + " behind; the owner of " + id + " is kept on this node only");
            return;
        }
        pending.add(owner);
        if (draining.compareAndSet(false, true) && !scheduler.later("response owners", this::drain)) {
            draining.set(false);
        }
    }

    /**
     * Refuses, as not found, an id the gateway answered for another team (or, for a key without a team,
     * another key) at any of {@code providers}; a 503 when that cannot be checked now. {@code param} names
     * the field the id came from.
     */
    public void checkContinuation(Caller caller, Collection<String> providers, String param, String id) {
        if (id == null || id.length() > MAX_ID) {
            return;
        }
        for (String provider : providers) {
            Owner owner = owner(provider, id, param);
            if (owner != null && !sameScope(owner, caller)) {
                throw new GatewayException(404, "invalid_request_error", "previous_response_not_found", param,
                        "No response or conversation with id '" + id + "' is known for this key's team (" + param + ").");
            }
        }
    }

    private Owner owner(String provider, String id, String param) {
        Owner owner = recent.getIfPresent(provider + "\n" + id);
        if (owner != null) {
            return owner;
        }
        try {
            owner = repository.find(provider, id).orElse(null);
        } catch (RuntimeException e) {
            throw new GatewayException(503, "server_error", "continuation_unverified", param,
                    "The gateway cannot check whose '" + id + "' is right now; try again shortly.", null, e);
        }
        if (owner != null) {
            recent.put(provider + "\n" + id, owner);
        }
        return owner;
    }

    /**
     * The context a continuation of response {@code id} at {@code provider} prepends (that answer's prompt and
     * completion tokens), or null when the gateway does not know it; a lookup that fails is null too (the
     * caller then bounds the continuation by the largest context).
     */
    public Long contextTokens(String provider, String id) {
        if (id == null || id.length() > MAX_ID) {
            return null;
        }
        try {
            Owner owner = owner(provider, id, "previous_response_id");
            return owner == null ? null : owner.contextTokens();
        } catch (GatewayException unavailable) {
            return null;
        }
    }

    static boolean sameScope(Owner owner, Caller caller) {
        if (owner.teamId() != null) {
            return owner.teamId().equals(caller.teamId());
        }
        return owner.keyId() != null && owner.keyId().equals(caller.keyId());
    }

    private void drain() {
        try {
            List<Owner> batch = new ArrayList<>();
            for (Owner o; (o = pending.poll()) != null; ) {
                pendingCount.decrementAndGet();
                batch.add(o);
                if (batch.size() == 500) {
                    store(batch);
                    batch = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) {
                store(batch);
            }
        } finally {
            draining.set(false);
        }
        if (!pending.isEmpty() && draining.compareAndSet(false, true) && !scheduler.later("response owners", this::drain)) {
            draining.set(false);
        }
    }

    private void store(List<Owner> batch) {
        try {
            repository.store(batch);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not store the owners of " + batch.size() + " responses; they are known to this node only", e);
        }
    }
}
