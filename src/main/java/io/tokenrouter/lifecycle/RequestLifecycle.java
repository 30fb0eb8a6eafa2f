package io.tokenrouter.lifecycle;

import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place a {@code /v1} request ends. Two steps every request takes, in this order, because its last
 * bytes wait on them: the quota reservation is settled and the usage record queued (the returned stage
 * completes when it is stored). Then every {@link RequestListener} is told; none of them can fail the request.
 */
@ApplicationScoped
public class RequestLifecycle {

    private static final Logger LOG = Logger.getLogger(RequestLifecycle.class.getName());

    @Inject
    QuotaSettlement settlement;
    @Inject
    UsageRecorder recorder;
    @Inject
    @Any
    Instance<RequestListener> found;

    private List<RequestListener> listeners;

    @PostConstruct
    void collect() {
        listeners = found.stream().toList();
    }

    /** Settles, records and tells the listeners; the stage completes when the record is stored. */
    public CompletionStage<Void> finished(FinishedRequest request) {
        settlement.settle(request);
        CompletionStage<Void> stored = recorder.record(request.record());
        for (RequestListener listener : listeners) {
            try {
                listener.finished(request);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Request " + request.record().requestId() + " could not be fully observed", e);
            }
        }
        return stored;
    }

    /** Records a request refused before it was forwarded and tells the listeners. */
    public void refused(UsageRecord record) {
        recorder.record(record);
        for (RequestListener listener : listeners) {
            try {
                listener.refused(record);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Refusal of " + record.requestId() + " could not be fully observed", e);
            }
        }
    }
}
