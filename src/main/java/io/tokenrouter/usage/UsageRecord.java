package io.tokenrouter.usage;

import io.tokenrouter.api.Usage;
import io.tokenrouter.store.Outcome;
import java.time.Instant;

/**
 * Everything known about one proxied request once it has finished, whichever way it finished
 * (completed, failed upstream, cut off, or abandoned by the client).
 */
public record UsageRecord(String requestId, Instant time, Long keyId, String keyName, Long teamId, String teamName,
                          String provider, String requestedModel, String upstreamModel, String endpoint,
                          int status, boolean stream, Usage usage, long latencyMillis, Long firstByteMillis,
                          Outcome outcome, String clientIp, String userAgent, String errorType,
                          String errorMessage, String upstreamRequestId, String attempts) {

    /** A request that took one attempt (or none). */
    public UsageRecord(String requestId, Instant time, Long keyId, String keyName, Long teamId, String teamName,
                       String provider, String requestedModel, String upstreamModel, String endpoint,
                       int status, boolean stream, Usage usage, long latencyMillis, Long firstByteMillis,
                       Outcome outcome, String clientIp, String userAgent, String errorType,
                       String errorMessage, String upstreamRequestId) {
        this(requestId, time, keyId, keyName, teamId, teamName, provider, requestedModel, upstreamModel, endpoint, status,
                stream, usage, latencyMillis, firstByteMillis, outcome, clientIp, userAgent, errorType, errorMessage,
                upstreamRequestId, null);
    }

    /** Whether the request was refused before it was forwarded (bad request, key, model, size or quota). */
    public boolean refused() {
        return outcome == Outcome.REFUSED;
    }

    /** Generated tokens per second after the first byte, or null when it cannot be told. */
    public Double tokensPerSecond() {
        if (firstByteMillis == null || usage.completionTokens() == 0 || latencyMillis <= firstByteMillis) {
            return null;
        }
        return usage.completionTokens() * 1000.0 / (latencyMillis - firstByteMillis);
    }

    public boolean failed() {
        return status >= 400 || errorType != null;
    }
}
