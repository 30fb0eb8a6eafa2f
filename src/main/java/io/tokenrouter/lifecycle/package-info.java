/**
 * What happens after a {@code /v1} request, whichever way it ended: {@link io.tokenrouter.lifecycle.RequestLifecycle}
 * settles its quota reservation, queues its usage record, and tells every {@link io.tokenrouter.lifecycle.RequestListener}
 * (metrics, provider-failure events, conversation capture, Responses API owners). The proxy calls it in one place;
 * observing grows by adding a listener, not by changing the proxy. Depends on {@code quota}, {@code usage},
 * {@code api} and {@code store}; listeners live in the packages that own what they do.
 */
package io.tokenrouter.lifecycle;
