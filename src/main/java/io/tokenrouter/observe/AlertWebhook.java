package io.tokenrouter.observe;

import io.tokenrouter.runtime.RuntimeSettings;
import io.tokenrouter.events.Redaction;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.upstream.OutboundHttp;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Announces an alert to {@code alert_webhook_url} (a cluster setting), when one is set: a JSON POST of
 * {@code {"event": ..., ..., "text": ...}} on the outbound threads, with a deadline; a failure is logged.
 */
@ApplicationScoped
public class AlertWebhook {

    private static final Logger LOG = Logger.getLogger(AlertWebhook.class.getName());

    @Inject
    Scheduler scheduler;
    @Inject
    RuntimeSettings runtimeSettings;
    @Inject
    OutboundHttp http;

    /** Posts {@code event} with {@code fields} and {@code text}, in the background. */
    public void post(String event, Map<String, Object> fields, String text) {
        runtimeSettings.operations().alertWebhookUrl().ifPresent(url -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("event", event);
            body.putAll(fields);
            body.put("text", text);
            scheduler.outbound("alert webhook", () -> send(url, Json.text(body)));
        });
    }

    private void send(String url, String body) {
        try {
            OutboundHttp.Answer answer = http.postJson(URI.create(url), Map.of(), body, Duration.ofSeconds(10));
            if (!answer.ok()) {
                LOG.warning("The alert webhook at " + Redaction.url(url) + " answered HTTP " + answer.status());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("The alert webhook at " + Redaction.url(url) + " failed: " + e.getMessage());
        }
    }
}
