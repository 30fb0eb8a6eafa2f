package io.tokenrouter.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenrouter.routing.RouteTable;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * The gateway's Prometheus metrics. Labels are bounded: providers come from the configuration, a model
 * label is kept only when the route table knows the model (else {@code other}), statuses are HTTP codes;
 * never a key, a raw path or anything a client can invent.
 */
@ApplicationScoped
public class GatewayMetrics {

    @Inject
    UsageRecorder recorder;
    @Inject
    Routes routes;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @PostConstruct
    void bind() {
        Gauge.builder("tokenrouter_usage_queue_depth", recorder, UsageRecorder::queued)
                .description("Usage records waiting to be stored").register(registry);
        Gauge.builder("tokenrouter_usage_records_dropped", recorder, UsageRecorder::dropped)
                .description("Usage records dropped because the queue was full or the database failed").register(registry);
        Gauge.builder("tokenrouter_usage_records_written", recorder, UsageRecorder::written)
                .description("Usage records stored").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
    }

    public void observe(UsageRecord r) {
        String provider = r.provider();
        String model = knownModel(routes.current(), provider, r.upstreamModel(), r.requestedModel());
        String status = Integer.toString(r.status());
        Counter.builder("tokenrouter_requests").description("Proxied requests")
                .tags("provider", provider, "model", model, "endpoint", r.endpoint(), "status", status,
                        "stream", Boolean.toString(r.stream()))
                .register(registry).increment();
        Timer.builder("tokenrouter_request_duration").description("Time from request to last byte")
                .tags("provider", provider, "endpoint", r.endpoint()).publishPercentileHistogram()
                .register(registry).record(Duration.ofMillis(r.latencyMillis()));
        if (r.firstByteMillis() != null && r.stream()) {
            Timer.builder("tokenrouter_time_to_first_token").description("Time from request to the first streamed event")
                    .tags("provider", provider).publishPercentileHistogram()
                    .register(registry).record(Duration.ofMillis(r.firstByteMillis()));
        }
        Counter.builder("tokenrouter_tokens").tags("provider", provider, "model", model, "kind", "prompt")
                .register(registry).increment(r.usage().promptTokens());
        Counter.builder("tokenrouter_tokens").tags("provider", provider, "model", model, "kind", "completion")
                .register(registry).increment(r.usage().completionTokens());
        if (r.errorType() != null && r.errorType().startsWith("upstream")) {
            Counter.builder("tokenrouter_upstream_errors").description("Failed upstream calls")
                    .tags("provider", provider, "type", r.errorType()).register(registry).increment();
        }
    }

    static String knownModel(RouteTable table, String provider, String upstreamModel, String requested) {
        if (table.knows(requested)) {
            return requested;
        }
        String qualified = provider + "/" + upstreamModel;
        return table.knows(qualified) ? qualified : "other";
    }

    public String scrape() {
        return registry.scrape();
    }
}
