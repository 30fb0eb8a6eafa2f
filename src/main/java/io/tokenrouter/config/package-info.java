/**
 * {@link io.tokenrouter.config.GatewaySettings}: the gateway's start-up configuration, read once
 * from system properties, environment variables, {@code tokenrouter.toml} and defaults (in that
 * order), validated and frozen. Runtime data (providers, keys, aliases) lives in the database; this
 * package only seeds it.
 *
 * <p>Depends on nothing but Jackson's TOML reader.
 */
package io.tokenrouter.config;
