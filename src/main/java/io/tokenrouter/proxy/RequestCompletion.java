package io.tokenrouter.proxy;

import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Usage;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.events.EventLog;
import io.tokenrouter.lifecycle.FinishedRequest;
import io.tokenrouter.lifecycle.RequestLifecycle;
import io.tokenrouter.observe.ConversationRecorder;
import io.tokenrouter.quota.Money;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.RouteTable;
import io.tokenrouter.store.Outcome;
import io.tokenrouter.usage.PriceBook;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * How a {@code /v1} request ends, from the proxy's side: a forwarded request's record is handed to the
 * {@link RequestLifecycle} (which settles, records and tells its listeners), a refused one's is built from the
 * exception that refused it; answers are priced, captured within limits and written in their own lane.
 */
@ApplicationScoped
public class RequestCompletion {

    private static final Logger LOG = Logger.getLogger(RequestCompletion.class.getName());

    @Inject
    RequestLifecycle lifecycle;
    @Inject
    UsageRecorder recorder;
    @Inject
    EventLog events;
    @Inject
    GatewaySettings settings;
    @Inject
    ClientWrites clientWrites;

    /** Hands a forwarded request's end to the lifecycle; the stage completes when its record is stored. */
    public CompletionStage<Void> finished(FinishedRequest request) {
        return lifecycle.finished(request);
    }

    /**
     * Records a request refused before it was forwarded: in the request log (outcome {@code refused}, with the
     * status, and the error code and message of {@code refusal}, which names the limit for a 429) and in the
     * metrics. {@code refusal} is null only for an error answer no exception explains.
     */
    public void refused(RequestTrace trace, String path, int status, GatewayException refusal) {
        Caller caller = trace.caller;
        Route route = trace.route;
        lifecycle.refused(new UsageRecord(trace.requestId, trace.startTime, caller == null ? null : caller.keyId(),
                caller == null ? null : caller.keyName(), caller == null ? null : caller.teamId(),
                caller == null ? null : caller.teamName(), route == null ? null : route.provider().name(),
                route == null ? trace.requestedModel : route.publicModel(), route == null ? null : route.upstreamModel(),
                path, status, trace.stream, Usage.NONE, trace.elapsedMillis(), null, Outcome.REFUSED,
                trace.client.ip(), trace.client.userAgent(), refusal == null ? null : refusal.code(),
                refusal == null ? null : refusal.getMessage(), null));
    }

    /** Whether the usage journal is full: new requests are refused until the database stores what it holds. */
    public boolean journalFull() {
        return recorder.journalFull();
    }

    /** What {@code usage} costs on {@code route} in US dollars ("0.001234"), or null when its model has no price. */
    public String costText(Route route, Usage usage) {
        PriceBook book = prices();
        if (book.find(route.provider().name(), route.upstreamModel()) == null) {
            return null;
        }
        return Money.decimal(book.costMicros(route.provider().name(), route.upstreamModel(), usage));
    }

    /** The prices in force, for a request's worst-case cost under a budget and its real cost after. */
    public PriceBook prices() {
        return recorder.prices();
    }

    /** A new lane for one request's writes to its client. */
    public Executor clientLane() {
        return clientWrites.serial();
    }

    /** Whether this caller's conversations are captured: switched on globally or for its key. */
    public boolean captures(Caller caller, RouteTable table) {
        return caller.captureConversations() || table.conversationsEnabled();
    }

    /** How much answer text is kept for capture: past the limit, so that a secret across it is redacted whole. */
    public int captureLimit() {
        return ConversationRecorder.answerCaptureLimit(settings.conversationMaxBytes());
    }

    /** A provider reported usage a request cannot have cost: one event per provider and minute, besides the log row. */
    public void implausibleUsage(String provider, String requestId, String what) {
        LOG.warning("Request " + requestId + ": " + what);
        events.providerFailure(provider, "Request " + requestId + ": " + what);
    }
}
