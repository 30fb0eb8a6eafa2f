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
}
