/**
 * The {@code /v1} surface: JAX-RS resources, the forwarding of one request to its upstream through
 * the shared asynchronous HTTP client, the buffered and streamed relays of the answer, and what happens
 * after (quota settlement, the usage record, metrics, capture).
 *
 * <p>Depends on the services and the foundation; not on the console, the management API or {@code boot}.
 */
package io.tokenrouter.proxy;
