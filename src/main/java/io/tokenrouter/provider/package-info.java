/**
 * Providers as a capability: seeding them (and aliases and routing settings) from the configuration,
 * the connection test, and model discovery with its background refresh.
 *
 * {@link io.tokenrouter.provider.ProviderService} edits providers and shows the targets' health;
 * {@link io.tokenrouter.provider.ProviderProbeService} tests a connection and discovers models;
 * {@link io.tokenrouter.provider.AutoProviders} adds the providers the gateway finds by itself (local model
 * servers on a node's host, public free-model providers) and removes them again.
 *
 * <p>Depends on {@code api}, {@code config}, {@code store}, {@code upstream}, {@code routing} (the targets
 * it tests, their health, and the table it rebuilds after a change), {@code events}, {@code runtime} (the cluster's settings) and
 * {@code access} (the caller's role and the audit trail).
 */
package io.tokenrouter.provider;
