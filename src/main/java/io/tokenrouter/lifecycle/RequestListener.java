package io.tokenrouter.lifecycle;

import io.tokenrouter.usage.UsageRecord;

/**
 * Told of every {@code /v1} request once it has ended. Listeners are application-scoped beans found by
 * {@link RequestLifecycle}; each is called on the thread that ends the request, after the quota is settled
 * and the record queued, so it must be quick and must not block. What one throws is logged and does not
 * reach the client or the other listeners.
 */
public interface RequestListener {

    /** A forwarded request ended: answered, failed, or abandoned by its client. */
    void finished(FinishedRequest request);

    /** A request was refused before it was forwarded; {@code record} holds the status and the error. */
    default void refused(UsageRecord record) {
    }
}
