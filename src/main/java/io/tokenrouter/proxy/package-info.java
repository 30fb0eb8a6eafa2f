/**
 * The {@code /v1} surface: JAX-RS resources, the forwarding of one request to its upstream through
 * the shared asynchronous HTTP client, the buffered and streamed relays of the answer, its tries
 * ({@link io.tokenrouter.proxy.Attempts}) apart from its answer ({@link io.tokenrouter.proxy.Exchange}), and
 * the one call that ends it ({@link io.tokenrouter.lifecycle.RequestLifecycle}). A request, step by step:
 * {@code RequestTraceFilter.filter} (trace), {@code ApiKeyFilter.filter} (caller), {@code ProxyResource}
 * (endpoint, body), {@code Forwarder.forward} (route, reserve, send), {@code BufferedAnswer} or
 * {@code StreamRelay} (relay), {@code Exchange.finish} (record), {@code RequestLifecycle.finished} (settle,
 * store, listeners).
 *
 * <p>Depends on the services and the foundation; not on the console, the management API or {@code boot}.
 */
package io.tokenrouter.proxy;
