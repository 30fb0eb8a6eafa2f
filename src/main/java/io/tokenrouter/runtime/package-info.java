/**
 * The cluster's run-time settings: what admins change for every node while it runs (retention, trusted
 * proxies, the provider-quota alert share, the alert webhook), held by {@link io.tokenrouter.runtime.RuntimeSettings}
 * as one snapshot swapped whole and followed from the database within {@code route_refresh_interval}; and
 * {@link io.tokenrouter.runtime.ClientAddresses}, the client's address as the trusted proxies tell it.
 *
 * <p>Depends on {@code api}, {@code config} and {@code store}.
 */
package io.tokenrouter.runtime;
