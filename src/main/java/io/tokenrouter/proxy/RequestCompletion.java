package io.tokenrouter.proxy;

import io.tokenrouter.access.Caller;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.observe.CapturedExchange;
import io.tokenrouter.observe.ConversationRecorder;
import io.tokenrouter.observe.EventLog;
import io.tokenrouter.observe.GatewayMetrics;
import io.tokenrouter.observe.ProviderQuotas;
import io.tokenrouter.quota.QuotaGate;
import io.tokenrouter.routing.RouteTable;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.http.HttpHeaders;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything that happens once per finished request, whichever way it finished: the quota reservation
 * is settled, the usage record queued, metrics counted, an upstream failure logged as an event, and the
 * conversation captured when that is switched on. Nothing here may fail the request.
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

    /** Whether this caller's conversations are captured: switched on globally or for its key. */
    boolean captures(Caller caller, RouteTable table) {
        return caller.captureConversations() || table.conversationsEnabled();
    }

    int captureLimit() {
        return settings.conversationMaxBytes();
    }

    void upstreamHeaders(String provider, HttpHeaders headers) {
        providerQuotas.observe(provider, headers);
    }

    void finished(Exchange exchange, UsageRecord record) {
        quotaGate.settle(exchange.reservation(), exchange.upstreamAnswered(), record.usage().totalTokens());
        recorder.record(record);
        try {
            metrics.observe(record);
            if (record.errorType() != null && record.errorType().startsWith("upstream_")) {
                events.providerFailure(record.provider(), "Request " + record.requestId() + ": " + record.errorMessage());
            }
            if (exchange.capturedAnswer != null && record.status() < 400) {
                conversations.capture(new CapturedExchange(record.requestId(), record.time(), record.keyId(),
                        record.keyName(), record.requestedModel(), record.endpoint(), exchange.requestBody,
                        exchange.capturedAnswer.toString(), exchange.responseId, exchange.client.conversationId()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, exchange + " could not be fully recorded", e);
        }
    }
}
