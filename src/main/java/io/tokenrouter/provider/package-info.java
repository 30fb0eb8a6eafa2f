/**
 * Providers as a capability: seeding them (and aliases and routing settings) from the configuration,
 * the connection test, and model discovery with its background refresh.
 *
 * {@link io.tokenrouter.provider.ProviderService} edits providers and shows the targets' health;
 * {@link io.tokenrouter.provider.ProviderProbeService} tests a connection and discovers models.
 *
 * <p>Depends on {@code api}, {@code config}, {@code store}, {@code upstream}, {@code routing} (the targets
 * it tests, their health, and the table it rebuilds after a change), {@code events} and {@code access} (the
 * caller's role and the audit trail).
 */
package io.tokenrouter.provider;
