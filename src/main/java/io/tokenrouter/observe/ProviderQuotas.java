package io.tokenrouter.observe;

import io.tokenrouter.runtime.RuntimeSettings;
import io.tokenrouter.events.EventLog;
import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.ProviderQuotaRepository;
import io.tokenrouter.store.ProviderQuotaRepository.ProviderQuota;
import io.tokenrouter.upstream.OutboundHttp;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What providers say about their own limits: the {@code x-ratelimit-*} (or Anthropic's
 * {@code anthropic-ratelimit-*}) headers of every answer (no extra call, no tokens spent) and, for OpenRouter, its key endpoint polled every five minutes. The
 * latest figures are kept in memory, written to the database every ten seconds, and a provider whose
 * remaining share drops below {@code provider_quota_alert_share} is flagged low, logged as an event and
 * announced to {@code alert_webhook_url}.
 */
@ApplicationScoped
public class ProviderQuotas {

    private static final Logger LOG = Logger.getLogger(ProviderQuotas.class.getName());

    @Inject
    GatewaySettings settings;
    @Inject
    ProviderQuotaRepository repository;
    @Inject
    EventLog events;
    @Inject
    Scheduler scheduler;
    @Inject
    Routes routes;
    @Inject
    RuntimeSettings runtimeSettings;
    @Inject
    OutboundHttp http;
    @Inject
    AlertWebhook webhook;
    @Inject
    JobLocks locks;

    private final Map<String, ProviderQuota> latest = new ConcurrentHashMap<>();
    private final Map<String, ProviderQuota> unsaved = new ConcurrentHashMap<>();

    public void start() {
        scheduler.every(Duration.ofSeconds(10), "provider quota flush", this::flush);
        scheduler.everyOutbound(Duration.ofMinutes(5), "provider quota poll", this::pollQuotaApis);
    }

    /** Reads the rate-limit headers of one upstream answer. Cheap: no I/O, no allocation without headers. */
    public void observe(String provider, Function<String, String> received) {
        Function<String, String> headers = received.apply("x-ratelimit-remaining-requests") == null
                && received.apply("x-ratelimit-remaining-tokens") == null ? anthropic(received) : received;
        Long remainingRequests = number(headers, "x-ratelimit-remaining-requests");
        Long remainingTokens = number(headers, "x-ratelimit-remaining-tokens");
        if (remainingRequests == null && remainingTokens == null) {
            return;
        }
        ProviderQuota previous = latest.get(provider);
        ProviderQuota next = new ProviderQuota(provider, number(headers, "x-ratelimit-limit-requests"), remainingRequests,
                headers.apply("x-ratelimit-reset-requests"), number(headers, "x-ratelimit-limit-tokens"),
                remainingTokens, headers.apply("x-ratelimit-reset-tokens"),
                previous == null ? null : previous.creditLimit(), previous == null ? null : previous.creditRemaining(),
                false, Instant.now());
        update(next);
    }

    /**
     * Anthropic's names for the same figures ({@code anthropic-ratelimit-requests-remaining}, …) under OpenAI's
     * ({@code x-ratelimit-remaining-requests}, …).
     */
    static Function<String, String> anthropic(Function<String, String> headers) {
        return name -> headers.apply(ANTHROPIC_NAMES.getOrDefault(name, name));
    }

    /** OpenAI's header names read here, each with Anthropic's: {@code x-ratelimit-remaining-requests} → {@code anthropic-ratelimit-requests-remaining}. */
    private static final Map<String, String> ANTHROPIC_NAMES = java.util.stream.Stream.of("limit", "remaining", "reset")
            .flatMap(figure -> java.util.stream.Stream.of("requests", "tokens").map(of -> figure + "-" + of))
            .collect(java.util.stream.Collectors.toUnmodifiableMap(name -> "x-ratelimit-" + name,
                    name -> "anthropic-ratelimit-" + name.substring(name.indexOf('-') + 1) + "-" + name.substring(0, name.indexOf('-'))));

    public List<ProviderQuota> all() {
        return repository.findAll();
    }

    void update(ProviderQuota next) {
        ProviderQuota flagged = next.withLow(isLow(next));
        ProviderQuota previous = latest.put(flagged.provider(), flagged);
        unsaved.put(flagged.provider(), flagged);
        if (flagged.low() && (previous == null || !previous.low())) {
            alert(flagged);
        }
    }

    boolean isLow(ProviderQuota q) {
        double share = runtimeSettings.operations().providerQuotaAlertShare();
        return below(q.remainingRequests(), q.limitRequests(), share) || below(q.remainingTokens(), q.limitTokens(), share)
                || (q.creditLimit() != null && q.creditRemaining() != null && q.creditLimit() > 0
                && q.creditRemaining() / q.creditLimit() < share);
    }

    private static boolean below(Long remaining, Long limit, double share) {
        return remaining != null && limit != null && limit > 0 && (double) remaining / limit < share;
    }

    private void alert(ProviderQuota q) {
        String message = "Provider '" + q.provider() + "' is running low: requests " + q.remainingRequests() + "/"
                + q.limitRequests() + ", tokens " + q.remainingTokens() + "/" + q.limitTokens()
                + (q.creditLimit() == null ? "" : ", credit " + q.creditRemaining() + "/" + q.creditLimit());
        events.warn("provider-quota", q.provider(), message);
        webhook.post("provider_quota_low", Map.of("provider", q.provider()), message);
    }

    void flush() {
        for (String provider : List.copyOf(unsaved.keySet())) {
            ProviderQuota q = unsaved.remove(provider);
            if (q != null) {
                repository.store(q);
            }
        }
    }

    /** Polls the quota APIs of providers that have one (OpenRouter's key endpoint), on one node at a time. */
    void pollQuotaApis() {
        if (!locks.tryAcquire("provider-quotas", ManagementFactory.getRuntimeMXBean().getName(), Duration.ofMinutes(4))) {
            return;
        }
        for (ProviderTarget target : routes.current().providers()) {
            if (target.baseUrl().getHost() != null && target.baseUrl().getHost().endsWith("openrouter.ai")) {
                pollOpenRouter(target);
            }
        }
    }

    void pollOpenRouter(ProviderTarget target) {
        try {
            OutboundHttp.Answer response = http.get(target.resolve("key"), target.authHeaders(), Duration.ofSeconds(20));
            if (response.status() != 200) {
                return;
            }
            JsonNode data = Json.parse(response.body()).path("data");
            Double limit = data.path("limit").isNumber() ? data.path("limit").asDouble() : null;
            Double remaining = data.path("limit_remaining").isNumber() ? data.path("limit_remaining").asDouble() : null;
            ProviderQuota previous = latest.get(target.name());
            update(new ProviderQuota(target.name(), previous == null ? null : previous.limitRequests(),
                    previous == null ? null : previous.remainingRequests(), previous == null ? null : previous.resetRequests(),
                    previous == null ? null : previous.limitTokens(), previous == null ? null : previous.remainingTokens(),
                    previous == null ? null : previous.resetTokens(), limit, remaining, false, Instant.now()));
        } catch (Exception e) {
            LOG.log(Level.FINE, "OpenRouter quota poll of " + target.name() + " failed", e);
        }
    }

    private static Long number(Function<String, String> headers, String name) {
        String value = headers.apply(name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
