/**
 * Providers as a capability: seeding them (and aliases and routing settings) from the configuration,
 * the connection test, and model discovery with its background refresh.
 *
 * <p>Depends on {@code api}, {@code config}, {@code store} and {@code upstream}.
 */
package io.tokenrouter.provider;
