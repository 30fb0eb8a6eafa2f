package io.tokenrouter.upstream;

/** How a provider expects its credential. */
public enum AuthStyle {
    /** {@code Authorization: Bearer <key>}, the OpenAI way. */
    BEARER,
    /** {@code api-key: <key>}, as Azure OpenAI wants it. */
    API_KEY_HEADER,
    /** No credential: local servers such as Ollama or llama.cpp. */
    NONE;

    /** The header to send, or {@code null} when nothing is sent. */
    public String[] header(String credential) {
        if (credential == null || credential.isEmpty() || this == NONE) {
            return null;
        }
        return this == BEARER ? new String[] {"Authorization", "Bearer " + credential}
                : new String[] {"api-key", credential};
    }
}
