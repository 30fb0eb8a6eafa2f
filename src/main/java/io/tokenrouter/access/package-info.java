/**
 * Who is calling: key generation and hashing, the cached key lookup with bounded staleness, the
 * {@link io.tokenrouter.access.ApiKeyFilter} that turns a Bearer key into a
 * {@link io.tokenrouter.access.Caller}, and the bootstrap admin key.
 *
 * <p>Depends on {@code api}, {@code config} and {@code store}.
 */
package io.tokenrouter.access;
