/**
 * Routing: the immutable {@link io.tokenrouter.routing.RouteTable} that turns a public model name
 * ({@code provider/model}, an alias, or a bare model) into a {@link io.tokenrouter.routing.Route}, and
 * {@link io.tokenrouter.routing.Routes}, which rebuilds it from the database when the cluster-wide
 * configuration version changes.
 *
 * {@link io.tokenrouter.routing.RoutingService} is the service that edits aliases, profiles and settings.
 *
 * A provider's target carries its key pool ({@link io.tokenrouter.routing.KeyPool}); the cluster's other
 * run-time settings live in {@code runtime}.
 *
 * <p>Depends on {@code api}, {@code config}, {@code upstream} (auth styles), {@code store}, {@code runtime}
 * (the settings the admin service also edits), {@code events} and {@code access} (the caller's role and the
 * audit trail of the service).
 */
package io.tokenrouter.routing;
