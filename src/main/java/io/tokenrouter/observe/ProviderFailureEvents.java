package io.tokenrouter.observe;

import io.tokenrouter.events.EventLog;
import io.tokenrouter.lifecycle.FinishedRequest;
import io.tokenrouter.lifecycle.RequestListener;
import io.tokenrouter.usage.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Puts a request that failed at its provider into the event log (which keeps one event per provider and minute). */
@ApplicationScoped
public class ProviderFailureEvents implements RequestListener {

    @Inject
    EventLog events;

    @Override
    public void finished(FinishedRequest request) {
        UsageRecord r = request.record();
        if (r.errorType() != null && r.errorType().startsWith("upstream_")) {
            events.providerFailure(r.provider(), "Request " + r.requestId() + ": " + r.errorMessage());
        }
    }
}
