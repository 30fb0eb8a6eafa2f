package io.tokenrouter.store;

import java.time.Instant;

/** One row of the request log, as stored. */
public record LogRow(String requestId, Instant createdAt, Long keyId, String keyName, Long teamId, String provider,
                     String model, String upstreamModel, String endpoint, int status, boolean stream, String outcome,
                     long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                     boolean estimated, long latencyMs, Long ttftMs, Double tokensPerSecond, String clientIp,
                     String userAgent, String clientType, String errorType, String errorMessage,
                     String upstreamRequestId, long costMicros, String attempts) {

    /** A row of a request that took one attempt. */
    public LogRow(String requestId, Instant createdAt, Long keyId, String keyName, Long teamId, String provider,
                  String model, String upstreamModel, String endpoint, int status, boolean stream, String outcome,
                  long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                  boolean estimated, long latencyMs, Long ttftMs, Double tokensPerSecond, String clientIp,
                  String userAgent, String clientType, String errorType, String errorMessage,
                  String upstreamRequestId, long costMicros) {
        this(requestId, createdAt, keyId, keyName, teamId, provider, model, upstreamModel, endpoint, status, stream,
                outcome, promptTokens, completionTokens, cachedTokens, reasoningTokens, estimated, latencyMs, ttftMs,
                tokensPerSecond, clientIp, userAgent, clientType, errorType, errorMessage, upstreamRequestId, costMicros,
                null);
    }
}
