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
 * off, a provider that never reports), an estimate from the events' text. Event data is kept for estimation
 * only until usage is reported and parsed lazily (when the buffer fills, or at the end if no usage came), so
 * streams that report usage cost no extra parsing.
 */
final class StreamUsage {

    /** Generated text kept for estimation when no usage arrives, counted and cleared past this size. */
    private static final int ESTIMATE_BUFFER = 64 * 1024;

    private final List<String> pendingData = new ArrayList<>();
    private int pendingChars;
    private long estimatedCompletion;
    private volatile Usage reported;

    /**
     * The provider reported usage: the larger of each figure of its reports counts (Anthropic reports the prompt's
     * at the start and the completion's at the end; others report once, or totals so far).
     */
    void reported(Usage usage) {
        Usage before = reported;
        reported = before == null ? usage : before.max(usage);
    }

    /** Keeps an event's data for estimation until usage is reported. */
    void collect(SseEvent event) {
        if (reported != null || event.data() == null || event.isDone()) {
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

    /** The reported usage, or the estimate: {@code exchange}'s prompt, and the text of the events relayed. */
    Usage of(Exchange exchange) {
        if (reported != null) {
            return reported;
        }
        long completion;
        synchronized (pendingData) {
            completion = estimatedCompletion + countPending();
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
