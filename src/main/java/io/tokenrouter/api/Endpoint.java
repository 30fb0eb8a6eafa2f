package io.tokenrouter.api;

/**
 * The endpoints the gateway serves under {@code /v1}, with what each one allows: OpenAI's, and Anthropic's
 * Messages API ({@link #anthropic()}), whose clients get Anthropic's wire format and error envelope.
 */
public enum Endpoint {
    CHAT_COMPLETIONS("chat/completions", true, true),
    COMPLETIONS("completions", true, true),
    EMBEDDINGS("embeddings", false, false),
    RESPONSES("responses", true, false),
    MODELS("models", false, false),
    MESSAGES("messages", true, false),
    COUNT_TOKENS("messages/count_tokens", false, false);

    private final String path;
    private final boolean streams;
    private final boolean streamOptionsIncludeUsage;

    Endpoint(String path, boolean streams, boolean streamOptionsIncludeUsage) {
        this.path = path;
        this.streams = streams;
        this.streamOptionsIncludeUsage = streamOptionsIncludeUsage;
    }

    /** The path below the provider's base URL, e.g. {@code chat/completions}. */
    public String path() {
        return path;
    }

    public boolean streams() {
        return streams;
    }

    /** Whether usage in a stream has to be asked for with {@code stream_options.include_usage}. */
    public boolean needsIncludeUsage() {
        return streamOptionsIncludeUsage;
    }

    /** Whether the endpoint is Anthropic's Messages API (its clients speak Anthropic's wire format). */
    public boolean anthropic() {
        return this == MESSAGES || this == COUNT_TOKENS;
    }

    /** Whether a request to the endpoint generates tokens (embeddings and token counts do not). */
    public boolean generates() {
        return this != EMBEDDINGS && this != COUNT_TOKENS && this != MODELS;
    }

    /** The endpoint whose path below {@code /v1} is {@code path}, or null. */
    public static Endpoint ofPath(String path) {
        for (Endpoint endpoint : values()) {
            if (endpoint.path.equals(path)) {
                return endpoint;
            }
        }
        return null;
    }
}
