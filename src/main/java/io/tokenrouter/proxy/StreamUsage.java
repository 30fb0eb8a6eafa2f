package io.tokenrouter.proxy;

import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import io.tokenrouter.upstream.SseEvent;
import io.tokenrouter.usage.TokenEstimator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a streamed answer used: the usage its provider reported in an event, or, when none came (a stream cut
 * off, a provider that never reports), an estimate from the events' text. A report that covers the whole answer
 * ({@link io.tokenrouter.upstream.UpstreamAdapter#completesUsage}) ends the estimating; before it, a report of the
 * prompt alone (Anthropic's {@code message_start}) counts for the prompt, and the completion is the larger of what
 * was reported and what the events relayed so far hold. Event data is kept for estimation only until usage is
 * complete and parsed lazily (when the buffer fills, or at the end if no complete report came), so streams that
 * report usage cost no extra parsing.
 */
final class StreamUsage {

    /** Generated text kept for estimation when no usage arrives, counted and cleared past this size. */
    private static final int ESTIMATE_BUFFER = 64 * 1024;

    private final List<String> pendingData = new ArrayList<>();
    private int pendingChars;
    private long estimatedCompletion;
    private volatile Usage reported;
    /** A report covered the whole answer: nothing more to estimate. */
    private volatile boolean complete;

    /**
     * The provider reported usage: the larger of each figure of its reports counts (Anthropic reports the prompt's
     * at the start and the completion's at the end; others report once, or totals so far). {@code whole}: the report
     * covers the whole answer.
     */
    void reported(Usage usage, boolean whole) {
        Usage before = reported;
        reported = before == null ? usage : before.max(usage);
        if (whole) {
            complete = true;
        }
    }

    /** Keeps an event's data for estimation until usage is complete. */
    void collect(SseEvent event) {
        if (complete || event.data() == null || event.isDone()) {
            return;
        }
        synchronized (pendingData) {
            pendingData.add(event.data());
            pendingChars += event.data().length();
            if (pendingChars > ESTIMATE_BUFFER) {
                estimatedCompletion += countPending();
            }
        }
    }

    /**
     * The complete report; else the estimate: the reported prompt (or {@code exchange}'s), and the larger of the
     * reported completion and the text of the events relayed.
     */
    Usage of(Exchange exchange) {
        Usage known = reported;
        if (complete) {
            return known;
        }
        long completion;
        synchronized (pendingData) {
            completion = estimatedCompletion + countPending();
        }
        if (known != null) {
            return completion <= known.completionTokens() ? known : new Usage(known.promptTokens(), completion,
                    known.cachedTokens(), known.reasoningTokens(), true, known.cacheWriteTokens(),
                    known.hourCacheWriteTokens());
        }
        Usage estimate = exchange.estimate("");
        return new Usage(estimate.promptTokens(), completion, 0, 0, true);
    }

    private long countPending() {
        StringBuilder text = new StringBuilder();
        for (String data : pendingData) {
            try {
                TokenEstimator.appendAnswerText(Json.parse(data), text);
            } catch (IOException e) {
                // not JSON: no text of an answer
            }
        }
        pendingData.clear();
        pendingChars = 0;
        return TokenEstimator.count(text);
    }
}
