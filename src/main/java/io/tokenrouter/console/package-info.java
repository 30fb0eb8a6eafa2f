/**
 * The PrimeFaces admin console under {@code /admin}: one view bean per page (status, logs, conversations, keys
 * and teams, providers, models and prices, network, settings), the sign-in session and its filter. Like the
 * management API it is an adapter: each action is one call of a service, which authorizes, validates and audits.
 *
 * <p>Depends on the services, the foundation and {@code web} (its error page); never on {@code proxy} or
 * {@code management}.
 */
package io.tokenrouter.console;
