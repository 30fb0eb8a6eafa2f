package io.tokenrouter.proxy;

import io.tokenrouter.observe.GatewayMetrics;
import io.tokenrouter.observe.ProviderQuotas;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.TargetHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What each attempt of a request tells the rest of the gateway, and asks of it: whether a target or a pool
 * key is cooling down on this node, how an attempt ended (the targets' health and the fallback metrics), and
 * the rate-limit headers of every provider answer. Nothing here may fail the request.
 */
@ApplicationScoped
public class AttemptReports {

    private static final Logger LOG = Logger.getLogger(AttemptReports.class.getName());

    @Inject
    TargetHealth health;
    @Inject
    GatewayMetrics metrics;
    @Inject
    ProviderQuotas providerQuotas;

    /** Whether {@code route}'s target is cooling down on this node. */
    public boolean cooling(Route route) {
        return health.cooling(route.qualifiedModel());
    }

    /** Whether the pool key named {@code keyName} ({@link Attempts#keyName}) is cooling down on this node. */
    public boolean keyCooling(String keyName) {
        return health.cooling(keyName);
    }

    /** A pool key was refused (401, 429): it cools down on its own. */
    public void keyRefused(Route route, int index, int status, Duration retryAfter) {
        health.keyRefused(Attempts.keyName(route, index), status, retryAfter);
    }

    public void keyAnswered(Route route, int index) {
        health.succeeded(Attempts.keyName(route, index));
    }

    /**
     * Tells the targets' health and the metrics how an attempt of a request with several targets ended;
     * {@code fellBack} when it failed and another target is tried next.
     */
    public void attemptEnded(Route route, int status, Duration retryAfter, boolean ok, boolean fellBack) {
        try {
            if (ok) {
                health.succeeded(route.qualifiedModel());
            } else {
                health.failed(route.qualifiedModel(), status, retryAfter);
            }
            metrics.attempt(route.provider().name(), ok, fellBack);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The attempt on " + route.qualifiedModel() + " could not be counted", e);
        }
    }

    /** A provider's answer head: its rate-limit headers tell how much of the provider's own quota is left. */
    public void upstreamHeaders(String provider, Function<String, String> header) {
        providerQuotas.observe(provider, header);
    }
}
