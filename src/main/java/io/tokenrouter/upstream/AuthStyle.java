package io.tokenrouter.upstream;

/** How a provider expects its credential. */
public enum AuthStyle {
    /** {@code Authorization: Bearer <key>}, the OpenAI way. */
    BEARER,
    /** {@code api-key: <key>}, as Azure OpenAI wants it. */
    API_KEY_HEADER,
    /**
     * {@code x-api-key: <key>} with {@code anthropic-version}: a provider that speaks Anthropic's Messages API,
     * to which {@code /v1/messages} passes through and {@code /v1/chat/completions} is translated.
     */
    ANTHROPIC,
    /**
     * The key is an OAuth client's service key (JSON with {@code clientid}, {@code clientsecret} and the {@code url}
     * of its token server, as SAP AI Core gives it), exchanged for a bearer token ({@link ServiceKeyTokens}) that is
     * sent with {@code AI-Resource-Group}. The key itself is never sent to the provider.
     */
    SERVICE_KEY,
    /** No credential: local servers such as Ollama or llama.cpp. */
    NONE;

    /** The {@code anthropic-version} sent to an Anthropic provider when the client names none. */
    public static final String ANTHROPIC_VERSION = "2023-06-01";

    /** Whether the provider speaks Anthropic's Messages API rather than OpenAI's. */
    public boolean speaksAnthropic() {
        return this == ANTHROPIC;
    }

    /** Whether the key is exchanged for what is sent ({@link #SERVICE_KEY}): then {@link #header} sends nothing. */
    public boolean exchanged() {
        return this == SERVICE_KEY;
    }

    /** The header to send, or {@code null} when nothing is sent (or the key is exchanged first). */
    public String[] header(String credential) {
        if (credential == null || credential.isEmpty() || this == NONE || this == SERVICE_KEY) {
            return null;
        }
        return switch (this) {
            case BEARER -> new String[] {"Authorization", "Bearer " + credential};
            case ANTHROPIC -> new String[] {"x-api-key", credential};
            default -> new String[] {"api-key", credential};
        };
    }
}
