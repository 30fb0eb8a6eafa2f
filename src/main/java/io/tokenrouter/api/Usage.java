package io.tokenrouter.api;

/**
 * Token figures of one request as reported by the provider, or counted by the gateway when the
 * provider reported none ({@code estimated}). The prompt's figure holds every input token: those read from
 * a cache ({@code cachedTokens}) and those written to one ({@code cacheWriteTokens}, which Anthropic reports
 * and prices apart) among them; of the written ones, {@code hourCacheWriteTokens} were written to Anthropic's
 * 1-hour cache, which costs more than its default 5-minute one.
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                    boolean estimated, long cacheWriteTokens, long hourCacheWriteTokens) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, false);

    /** Figures without cache writes, as OpenAI-compatible providers report them. */
    public Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, boolean estimated) {
        this(promptTokens, completionTokens, cachedTokens, reasoningTokens, estimated, 0, 0);
    }

    /** Figures with cache writes all to the default (5-minute) cache. */
    public Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, boolean estimated,
                 long cacheWriteTokens) {
        this(promptTokens, completionTokens, cachedTokens, reasoningTokens, estimated, cacheWriteTokens, 0);
    }

    /**
     * The larger of each figure of two reports of one answer: Anthropic reports the prompt's figures when a
     * stream starts and the completion's when it ends, and providers that report in every event report totals
     * so far.
     */
    public Usage max(Usage other) {
        return new Usage(Math.max(promptTokens, other.promptTokens), Math.max(completionTokens, other.completionTokens),
                Math.max(cachedTokens, other.cachedTokens), Math.max(reasoningTokens, other.reasoningTokens),
                estimated && other.estimated, Math.max(cacheWriteTokens, other.cacheWriteTokens),
                Math.max(hourCacheWriteTokens, other.hourCacheWriteTokens));
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    public boolean isEmpty() {
        return promptTokens == 0 && completionTokens == 0;
    }

    /**
     * The figures within what the request can have cost: none negative, the prompt at most
     * {@code promptBound}, the completion at most {@code completionBound}, cached tokens at most the prompt
     * and reasoning tokens at most the completion, cache writes at most the uncached prompt (and 1-hour ones at most
     * those). The same record when they already are.
     */
    public Usage within(long promptBound, long completionBound) {
        long prompt = clamp(promptTokens, promptBound);
        long completion = clamp(completionTokens, completionBound);
        long cached = clamp(cachedTokens, prompt);
        long reasoning = clamp(reasoningTokens, completion);
        long written = clamp(cacheWriteTokens, prompt - cached);
        long hour = clamp(hourCacheWriteTokens, written);
        return prompt == promptTokens && completion == completionTokens && cached == cachedTokens
                && reasoning == reasoningTokens && written == cacheWriteTokens && hour == hourCacheWriteTokens ? this
                : new Usage(prompt, completion, cached, reasoning, estimated, written, hour);
    }

    private static long clamp(long value, long most) {
        return Math.max(0, Math.min(value, Math.max(0, most)));
    }
}
