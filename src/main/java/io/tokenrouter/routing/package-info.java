/**
 * Routing: the immutable {@link io.tokenrouter.routing.RouteTable} that turns a public model name
 * ({@code provider/model}, an alias, or a bare model) into a {@link io.tokenrouter.routing.Route}, and
 * {@link io.tokenrouter.routing.Routes}, which rebuilds it from the database when the cluster-wide
 * configuration version changes.
 *
 * <p>Depends on {@code api}, {@code upstream} (auth styles) and {@code store} (for rebuilding only).
 */
package io.tokenrouter.routing;
