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
    /** No credential: local servers such as Ollama or llama.cpp. */
    NONE;

    /** The {@code anthropic-version} sent to an Anthropic provider when the client names none. */
    public static final String ANTHROPIC_VERSION = "2023-06-01";

    /** Whether the provider speaks Anthropic's Messages API rather than OpenAI's. */
    public boolean speaksAnthropic() {
        return this == ANTHROPIC;
    }

    /** The header to send, or {@code null} when nothing is sent. */
    public String[] header(String credential) {
        if (credential == null || credential.isEmpty() || this == NONE) {
            return null;
        }
        return switch (this) {
            case BEARER -> new String[] {"Authorization", "Bearer " + credential};
            case ANTHROPIC -> new String[] {"x-api-key", credential};
            default -> new String[] {"api-key", credential};
        };
    }
}
