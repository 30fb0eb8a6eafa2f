package io.tokenrouter.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenrouter.access.AuditForwarder;
import io.tokenrouter.lifecycle.FinishedRequest;
import io.tokenrouter.lifecycle.RequestListener;
import io.tokenrouter.routing.RouteTable;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's Prometheus metrics. Labels are bounded: providers come from the configuration, a model
 * label is kept only when the route table knows the model (else {@code other}), statuses are HTTP codes;
 * never a key, a raw path or anything a client can invent.
 */
@ApplicationScoped
public class GatewayMetrics implements RequestListener {

    @Inject
    UsageRecorder recorder;
    @Inject
    Routes routes;
    @Inject
    io.tokenrouter.store.Database database;
    @Inject
    AuditForwarder auditForwarder;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Meters by their label values, so a request costs map lookups rather than meter registrations. */
    private final ConcurrentHashMap<String, Meters> meters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private static final java.util.Set<String> KNOWN_ENDPOINTS = java.util.Arrays.stream(io.tokenrouter.api.Endpoint.values())
            .map(io.tokenrouter.api.Endpoint::path).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private record Meters(Counter requests, Timer duration, Timer ttft, Counter prompt, Counter completion, Counter cost) {
    }

    @PostConstruct
    void bind() {
        Gauge.builder("tokenrouter_usage_queue_depth", recorder, UsageRecorder::queued)
                .description("Usage records waiting to be stored").register(registry);
        Gauge.builder("tokenrouter_usage_records_dropped", recorder, UsageRecorder::dropped)
                .description("Usage records dropped because the queue was full or the database failed").register(registry);
        Gauge.builder("tokenrouter_usage_records_written", recorder, UsageRecorder::written)
                .description("Usage records stored").register(registry);
        Gauge.builder("tokenrouter_usage_answers_before_stored", recorder, UsageRecorder::answeredBeforeStored)
                .description("Answers completed before their usage record was stored (the database was failing or"
                        + " slower than the 2 s the gateway waits)").register(registry);
        Gauge.builder("tokenrouter_usage_records_journaled", recorder, UsageRecorder::journaled)
                .description("Usage records written to this node's journal").register(registry);
        Gauge.builder("tokenrouter_usage_duplicates_skipped", recorder, UsageRecorder::duplicatesSkipped)
                .description("Journaled records shipped again and stored once (their request id was in the log)").register(registry);
        Gauge.builder("tokenrouter_journal_pending_records", recorder, UsageRecorder::journalPending)
                .description("Journaled records not yet stored in the database").register(registry);
        Gauge.builder("tokenrouter_journal_bytes", recorder, UsageRecorder::journalBytes)
                .description("Bytes of this node's journal on disk").register(registry);
        Gauge.builder("tokenrouter_journal_oldest_age_seconds", recorder, r -> r.journalOldest() == null ? 0
                        : java.time.Duration.between(r.journalOldest(), java.time.Instant.now()).toMillis() / 1000.0)
                .description("Age of the oldest journaled record not yet stored (0: none)").register(registry);
        Gauge.builder("tokenrouter_database_reachable", database, d -> d.outage().down() ? 0 : 1)
                .description("Whether this node finds the database reachable (1) or is riding out an outage (0)").register(registry);
        Gauge.builder("tokenrouter_database_outages", database, d -> d.outage().outages())
                .description("Database outages this node saw since it started").register(registry);
        Gauge.builder("tokenrouter_database_calls_refused", database, d -> d.outage().refusedCalls())
                .description("Database calls failed at once, without waiting, during outages").register(registry);
        Gauge.builder("tokenrouter_audit_forwarded", auditForwarder, AuditForwarder::forwarded)
                .description("Audit entries this node sent to audit_forward_url and the receiver took").register(registry);
        Gauge.builder("tokenrouter_audit_forward_failures", auditForwarder, AuditForwarder::failures)
                .description("Times this node could not send waiting audit entries to audit_forward_url").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
    }

    @Override
    public void finished(FinishedRequest request) {
        observe(request.record(), request.cost());
    }

    /** Counts a proxied request; {@code cost} is what it cost in US dollars ("0.0012"), or null when unpriced. */
    public void observe(UsageRecord r, String cost) {
        String provider = r.provider();
        String model = knownModel(routes.current(), provider, r.upstreamModel(), r.requestedModel());
        Meters m = meters.computeIfAbsent(provider + '\u0000' + model + '\u0000' + r.endpoint() + '\u0000' + r.status()
                + '\u0000' + r.stream(), k -> register(provider, model, r.endpoint(), r.status(), r.stream()));
        m.requests().increment();
        m.duration().record(r.latencyMillis(), TimeUnit.MILLISECONDS);
        if (r.firstByteMillis() != null && r.stream()) {
            m.ttft().record(r.firstByteMillis(), TimeUnit.MILLISECONDS);
        }
        m.prompt().increment(r.usage().promptTokens());
        m.completion().increment(r.usage().completionTokens());
        if (cost != null) {
            m.cost().increment(Double.parseDouble(cost));
        }
        if (r.errorType() != null && r.errorType().startsWith("upstream")) {
            Counter.builder("tokenrouter_upstream_errors").description("Failed upstream calls")
                    .tags("provider", provider, "type", r.errorType()).register(registry).increment();
        }
    }

    /**
     * Counts a request refused before it was forwarded, by endpoint (known ones only), status and error
     * code (the gateway's own, a bounded set).
     */
    @Override
    public void refused(UsageRecord r) {
        String endpoint = KNOWN_ENDPOINTS.contains(r.endpoint()) ? r.endpoint() : "other";
        String code = r.errorType() == null ? "none" : r.errorType();
        refusals.computeIfAbsent(endpoint + '\u0000' + r.status() + '\u0000' + code, k -> Counter.builder("tokenrouter_refusals")
                .description("Requests refused before they were forwarded")
                .tags("endpoint", endpoint, "status", Integer.toString(r.status()), "code", code)
                .register(registry)).increment();
    }

    private Meters register(String provider, String model, String endpoint, int status, boolean stream) {
        return new Meters(
                Counter.builder("tokenrouter_requests").description("Proxied requests")
                        .tags("provider", provider, "model", model, "endpoint", endpoint, "status", Integer.toString(status),
                                "stream", Boolean.toString(stream)).register(registry),
                Timer.builder("tokenrouter_request_duration").description("Time from request to last byte")
                        .tags("provider", provider, "endpoint", endpoint).publishPercentileHistogram().register(registry),
                Timer.builder("tokenrouter_time_to_first_token").description("Time from request to the first streamed event")
                        .tags("provider", provider).publishPercentileHistogram().register(registry),
                Counter.builder("tokenrouter_tokens").tags("provider", provider, "model", model, "kind", "prompt")
                        .register(registry),
                Counter.builder("tokenrouter_tokens").tags("provider", provider, "model", model, "kind", "completion")
                        .register(registry),
                Counter.builder("tokenrouter_cost").description("What proxied requests cost, in US dollars, at the"
                        + " gateway's prices").baseUnit("dollars").tags("provider", provider, "model", model).register(registry));
    }

    static String knownModel(RouteTable table, String provider, String upstreamModel, String requested) {
        if (table.knows(requested)) {
            return requested;
        }
        String qualified = provider + "/" + upstreamModel;
        return table.knows(qualified) ? qualified : "other";
    }

    /**
     * Counts one attempt of a request whose model has several targets ({@code ok} or {@code failed}), and a
     * fallback when a failed attempt was abandoned for another target. Providers come from the
     * configuration, so the tags stay bounded.
     */
    public void attempt(String provider, boolean ok, boolean fellBack) {
        Counter.builder("tokenrouter_upstream_attempts").description("Attempts of requests to models with several targets")
                .tags("provider", provider, "outcome", ok ? "ok" : "failed").register(registry).increment();
        if (fellBack) {
            Counter.builder("tokenrouter_fallbacks").description("Failed attempts abandoned for another target")
                    .tags("provider", provider).register(registry).increment();
        }
    }

    public String scrape() {
        return registry.scrape();
    }
}
