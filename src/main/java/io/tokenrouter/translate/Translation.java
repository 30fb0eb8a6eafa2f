package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.ErrorBody;
import io.tokenrouter.api.Json;

/**
 * How one request reaches a provider of the other API, and how its answer comes back: a Messages API request
 * to an OpenAI-compatible provider's chat completions, or a chat completions request to an Anthropic provider's
 * Messages API. {@link #between} says whether one is needed; each attempt of a request makes its own (a
 * fallback may go to a provider of either API).
 */
public final class Translation {

    /** What a translation needs of the request beyond its body. */
    public record Request(long defaultMaxTokens, String maximumField, boolean includeUsage, long promptTokens) {
    }

    private final boolean toAnthropic;
    private final Request request;

    private Translation(boolean toAnthropic, Request request) {
        this.toAnthropic = toAnthropic;
        this.request = request;
    }

    /**
     * The translation between a client of {@code endpoint} and a provider of Anthropic's API (or OpenAI's), or
     * null when both speak the same one. Only chat completions and messages translate (see {@link #serves}).
     */
    public static Translation between(Endpoint endpoint, boolean anthropicProvider, Request request) {
        return needed(endpoint, anthropicProvider) ? new Translation(anthropicProvider, request) : null;
    }

    /** Whether a client of {@code endpoint} and a provider of Anthropic's API (or OpenAI's) need a translation. */
    public static boolean needed(Endpoint endpoint, boolean anthropicProvider) {
        return anthropicProvider ? endpoint == Endpoint.CHAT_COMPLETIONS : endpoint == Endpoint.MESSAGES;
    }

    /**
     * Whether a provider of Anthropic's API (or OpenAI's) serves {@code endpoint}: an Anthropic provider serves
     * messages, their token counts and (translated) chat completions; an OpenAI provider every OpenAI endpoint
     * and (translated) messages, their token counts being the gateway's own.
     */
    public static boolean serves(Endpoint endpoint, boolean anthropicProvider) {
        return !anthropicProvider || endpoint == Endpoint.MESSAGES || endpoint == Endpoint.COUNT_TOKENS
                || endpoint == Endpoint.CHAT_COMPLETIONS;
    }

    /** The provider's endpoint, below its base URL. */
    public String upstreamPath() {
        return toAnthropic ? Endpoint.MESSAGES.path() : Endpoint.CHAT_COMPLETIONS.path();
    }

    /** The request body for the provider, naming {@code upstreamModel}; a 400 for what cannot be carried. */
    public ObjectNode request(ObjectNode client, String upstreamModel) {
        return toAnthropic ? ChatToMessages.request(client, upstreamModel, request.defaultMaxTokens())
                : MessagesToChat.request(client, upstreamModel, request.maximumField());
    }

    /** The provider's complete answer as the client's. */
    public byte[] answer(JsonNode upstream) {
        return Json.bytes(toAnthropic ? Answers.completion(upstream, System.currentTimeMillis() / 1000)
                : Answers.message(upstream));
    }

    /** A translator of one streamed answer. */
    public StreamTranslator stream() {
        return toAnthropic ? new MessageEventsToChat(request.includeUsage(), System.currentTimeMillis() / 1000)
                : new ChatEventsToMessages(request.promptTokens());
    }

    /**
     * A provider's error body (JSON) in the client's envelope. An Anthropic client's errors, whatever made them, are
     * put in Anthropic's envelope as they leave ({@code RequestTraceFilter}); an OpenAI client's are rewritten here.
     */
    public byte[] error(byte[] body, JsonNode json, int status) {
        ObjectNode converted = toAnthropic ? ErrorBody.fromAnthropic(json, status) : null;
        return converted == null ? body : Json.bytes(converted);
    }
}
