package io.tokenrouter.proxy;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.ResponseOwners;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Usage;
import io.tokenrouter.routing.Route;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.observe.CapturedExchange;
import io.tokenrouter.observe.ConversationRecorder;
import io.tokenrouter.events.EventLog;
import io.tokenrouter.observe.GatewayMetrics;
import io.tokenrouter.observe.ProviderQuotas;
import io.tokenrouter.quota.Money;
import io.tokenrouter.quota.QuotaGate;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.routing.RouteTable;
import io.tokenrouter.routing.TargetHealth;
import io.tokenrouter.store.QuotaRepository.Amounts;
import io.tokenrouter.usage.PriceBook;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything that happens once per finished request, whichever way it finished: the quota reservation
 * is settled, the usage record queued (its stage tells when it is stored), metrics counted, an upstream
 * failure logged as an event, a Responses API answer's owner noted, and the conversation captured when that
 * is switched on. Nothing here may fail the request.
 */
@ApplicationScoped
public class RequestCompletion {

    private static final Logger LOG = Logger.getLogger(RequestCompletion.class.getName());

    @Inject
    QuotaGate quotaGate;
    @Inject
    UsageRecorder recorder;
    @Inject
    GatewayMetrics metrics;
    @Inject
    EventLog events;
    @Inject
    ConversationRecorder conversations;
    @Inject
    ProviderQuotas providerQuotas;
    @Inject
    GatewaySettings settings;
    @Inject
    ClientWrites clientWrites;
    @Inject
    TargetHealth health;
    @Inject
    ResponseOwners owners;

    /** Whether {@code route}'s target is cooling down on this node. */
    boolean cooling(Route route) {
        return health.cooling(route.qualifiedModel());
    }

    /** Whether key {@code index} of {@code route}'s pool is cooling down on this node. */
    boolean keyCooling(String keyName) {
        return health.cooling(keyName);
    }

    /** A pool key was refused (401, 429): it cools down on its own. */
    void keyRefused(Route route, int index, int status, java.time.Duration retryAfter) {
        health.keyRefused(Attempts.keyName(route, index), status, retryAfter);
    }

    void keyAnswered(Route route, int index) {
        health.succeeded(Attempts.keyName(route, index));
    }

    /**
     * Tells the targets' health and the metrics how an attempt of a request with several targets ended;
     * {@code fellBack} when it failed and another target is tried next.
     */
    void attemptEnded(Route route, int status, java.time.Duration retryAfter, boolean ok, boolean fellBack) {
        try {
            if (ok) {
                health.succeeded(route.qualifiedModel());
            } else {
                health.failed(route.qualifiedModel(), status, retryAfter);
            }
            metrics.attempt(route.provider().name(), ok, fellBack);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The attempt on " + route.qualifiedModel() + " could not be counted", e);
        }
    }

    /**
     * Replaces a reservation by what the request used: its tokens and its cost at the prices in force (the
     * gate charges each at most what was reserved).
     */
    private void settle(Reservation reservation, boolean reachedProvider, UsageRecord record) {
        if (reservation.isEmpty()) {
            return;
        }
        PriceBook book = prices();
        long reservedCost = reservation.amounts().cost();
        long cost = reservedCost == 0 ? 0 : book.find(record.provider(), record.upstreamModel()) == null
                ? reservedCost // its price was removed while it ran: charged what was reserved, never free
                : book.costMicros(record.provider(), record.upstreamModel(), record.usage());
        quotaGate.settle(reservation, reachedProvider, new Amounts(0, record.usage().totalTokens(), cost));
    }

    /** What {@code usage} costs on {@code route} in US dollars ("0.001234"), or null when its model has no price. */
    String costText(Route route, Usage usage) {
        PriceBook book = prices();
        if (book.find(route.provider().name(), route.upstreamModel()) == null) {
            return null;
        }
        return Money.decimal(book.costMicros(route.provider().name(), route.upstreamModel(), usage));
    }

    /** The prices in force, for a request's worst-case cost under a budget and its real cost after. */
    PriceBook prices() {
        return recorder.prices();
    }

    /** A new lane for one request's writes to its client. */
    java.util.concurrent.Executor clientLane() {
        return clientWrites.serial();
    }

    /** Whether this caller's conversations are captured: switched on globally or for its key. */
    boolean captures(Caller caller, RouteTable table) {
        return caller.captureConversations() || table.conversationsEnabled();
    }

    /** How much answer text is kept for capture: past the limit, so that a secret across it is redacted whole. */
    int captureLimit() {
        return ConversationRecorder.answerCaptureLimit(settings.conversationMaxBytes());
    }

    void upstreamHeaders(String provider, java.util.function.Function<String, String> header) {
        providerQuotas.observe(provider, header);
    }

    /**
     * Records a request refused before it was forwarded: in the request log (outcome {@code refused}, with
     * the status, the error code and the message that names the limit for a 429) and in the metrics.
     */
    void refused(RequestTrace trace, String path, int status, String errorCode, String errorMessage) {
        Caller caller = trace.caller;
        Route route = trace.route;
        UsageRecord record = new UsageRecord(trace.requestId, trace.startTime, caller == null ? null : caller.keyId(),
                caller == null ? null : caller.keyName(), caller == null ? null : caller.teamId(),
                caller == null ? null : caller.teamName(), route == null ? null : route.provider().name(),
                route == null ? trace.requestedModel : route.publicModel(), route == null ? null : route.upstreamModel(),
                path, status, trace.stream, Usage.NONE,
                trace.elapsedMillis(), null, UsageRecord.REFUSED, trace.client.ip(), trace.client.userAgent(),
                errorCode, errorMessage, null);
        recorder.record(record);
        try {
            metrics.refused(record);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Refusal of " + trace.requestId + " could not be counted", e);
        }
    }

    /** A provider reported usage a request cannot have cost: one event per provider and minute, besides the log row. */
    void implausibleUsage(String provider, String requestId, String what) {
        LOG.warning("Request " + requestId + ": " + what);
        events.providerFailure(provider, "Request " + requestId + ": " + what);
    }

    CompletionStage<Void> finished(Exchange exchange, UsageRecord record) {
        settle(exchange.reservation(), exchange.upstreamAnswered(), record);
        CompletionStage<Void> stored = recorder.record(record);
        try {
            metrics.observe(record, exchange.cost);
            if (record.errorType() != null && record.errorType().startsWith("upstream_")) {
                events.providerFailure(record.provider(), "Request " + record.requestId() + ": " + record.errorMessage());
            }
            if (exchange.endpoint == Endpoint.RESPONSES && record.status() < 400) {
                owners.remember(record.provider(), exchange.responseId, record.keyId(), record.teamId(),
                        record.usage().totalTokens());
                owners.remember(record.provider(), exchange.conversationId, record.keyId(), record.teamId());
            }
            if (exchange.capturedAnswer != null && record.status() < 400) {
                conversations.capture(new CapturedExchange(record.requestId(), record.time(), record.keyId(),
                        record.keyName(), record.requestedModel(), record.endpoint(), exchange.requestBody,
                        exchange.capturedAnswer.toString(), exchange.responseId, exchange.client.conversationId()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, exchange + " could not be fully recorded", e);
        }
        return stored;
    }
}
