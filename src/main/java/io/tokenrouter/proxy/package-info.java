/**
 * The {@code /v1} surface: JAX-RS resources, the forwarding of one request to its upstream through
 * the shared asynchronous HTTP client, the buffered and streamed relays of the answer, and start-up
 * wiring. The only package that wires the others together.
 *
 * <p>Depends on every package but the admin console.
 */
package io.tokenrouter.proxy;
