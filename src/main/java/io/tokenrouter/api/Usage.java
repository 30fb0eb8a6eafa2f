package io.tokenrouter.api;

/**
 * Token figures of one request as reported by the provider, or counted by the gateway when the
 * provider reported none ({@code estimated}).
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                    boolean estimated) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, false);

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    public boolean isEmpty() {
        return promptTokens == 0 && completionTokens == 0;
    }

    /**
     * The figures within what the request can have cost: none negative, the prompt at most
     * {@code promptBound}, the completion at most {@code completionBound}, cached tokens at most the prompt
     * and reasoning tokens at most the completion. The same record when they already are.
     */
    public Usage within(long promptBound, long completionBound) {
        long prompt = clamp(promptTokens, promptBound);
        long completion = clamp(completionTokens, completionBound);
        long cached = clamp(cachedTokens, prompt);
        long reasoning = clamp(reasoningTokens, completion);
        return prompt == promptTokens && completion == completionTokens && cached == cachedTokens
                && reasoning == reasoningTokens ? this : new Usage(prompt, completion, cached, reasoning, estimated);
    }

    private static long clamp(long value, long most) {
        return Math.max(0, Math.min(value, Math.max(0, most)));
    }
}
