package io.tokenrouter.observe;

import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.Outcome;
import java.time.Instant;

/**
 * One request of the request log as the API ({@code GET /api/logs}) and the console show it. It is the API's
 * own shape: renaming a column of the store changes {@link LogRow}, not this.
 */
public record LogEntry(String requestId, Instant createdAt, Long keyId, String keyName, Long teamId, String provider,
                       String model, String upstreamModel, String endpoint, int status, boolean stream, Outcome outcome,
                       long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                       boolean estimated, long latencyMs, Long ttftMs, Double tokensPerSecond, String clientIp,
                       String userAgent, String clientType, String errorType, String errorMessage,
                       String upstreamRequestId, long costMicros, String attempts) {

    static LogEntry of(LogRow r) {
        return new LogEntry(r.requestId(), r.createdAt(), r.keyId(), r.keyName(), r.teamId(), r.provider(), r.model(),
                r.upstreamModel(), r.endpoint(), r.status(), r.stream(), r.outcome() == null ? null : Outcome.of(r.outcome()),
                r.promptTokens(), r.completionTokens(), r.cachedTokens(), r.reasoningTokens(), r.estimated(),
                r.latencyMs(), r.ttftMs(), r.tokensPerSecond(), r.clientIp(), r.userAgent(), r.clientType(),
                r.errorType(), r.errorMessage(), r.upstreamRequestId(), r.costMicros(), r.attempts());
    }
}
