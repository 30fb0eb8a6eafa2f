package io.tokenrouter.api;

/** The OpenAI endpoints the gateway serves under {@code /v1}, with what each one allows. */
public enum Endpoint {
    CHAT_COMPLETIONS("chat/completions", true, true),
    COMPLETIONS("completions", true, true),
    EMBEDDINGS("embeddings", false, false),
    RESPONSES("responses", true, false),
    MODELS("models", false, false);

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
}
