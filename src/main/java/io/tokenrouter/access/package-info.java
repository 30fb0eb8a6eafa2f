/**
 * Who is calling and what they may do: key generation and hashing, the cached key lookup with bounded
 * staleness, the {@link io.tokenrouter.access.ApiKeyFilter} that turns a Bearer key or a session token
 * into a {@link io.tokenrouter.access.Caller}, sign-in sessions and their throttle, the bootstrap admin
 * key, the services for teams and keys, and the role rules ({@link io.tokenrouter.access.Authorization})
 * and audit trail every service uses.
 *
 * <p>Depends on {@code api}, {@code config}, {@code quota}, {@code store}, {@code lifecycle} (the owners of
 * Responses API answers are noted by a request listener) and {@code runtime} (whether keys sign in to the console).
 */
package io.tokenrouter.access;
