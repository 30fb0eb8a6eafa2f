package io.tokenrouter.usage;

import io.tokenrouter.api.Json;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Receives one {@link UsageRecord} per request and writes it as a JSON line to the
 * {@code io.tokenrouter.usage} log. Never throws into the request path.
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger("io.tokenrouter.usage");

    public void record(UsageRecord record) {
        try {
            if (LOG.isLoggable(Level.INFO)) {
                LOG.info("usage " + Json.text(fields(record)));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not record usage of request " + record.requestId(), e);
        }
    }

    private static Map<String, Object> fields(UsageRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", r.requestId());
        m.put("time", r.time().toString());
        m.put("key_id", r.keyId());
        m.put("key_name", r.keyName());
        m.put("team_id", r.teamId());
        m.put("provider", r.provider());
        m.put("model", r.requestedModel());
        m.put("upstream_model", r.upstreamModel());
        m.put("endpoint", r.endpoint());
        m.put("status", r.status());
        m.put("stream", r.stream());
        m.put("outcome", r.outcome());
        m.put("prompt_tokens", r.usage().promptTokens());
        m.put("completion_tokens", r.usage().completionTokens());
        m.put("cached_tokens", r.usage().cachedTokens());
        m.put("reasoning_tokens", r.usage().reasoningTokens());
        m.put("estimated", r.usage().estimated());
        m.put("latency_ms", r.latencyMillis());
        m.put("ttft_ms", r.firstByteMillis());
        m.put("tokens_per_second", r.tokensPerSecond());
        m.put("client_ip", r.clientIp());
        m.put("user_agent", r.userAgent());
        m.put("error_type", r.errorType());
        m.put("error", r.errorMessage());
        return m;
    }
}
