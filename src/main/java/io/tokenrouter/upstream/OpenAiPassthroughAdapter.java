package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Usage;
import java.util.Optional;

/**
 * For upstreams that speak the OpenAI API themselves (OpenAI and every OpenAI-compatible provider):
 * the body passes through with one field set, and answers pass through untouched.
 */
public final class OpenAiPassthroughAdapter implements UpstreamAdapter {

    public static final OpenAiPassthroughAdapter INSTANCE = new OpenAiPassthroughAdapter();

    @Override
    public boolean prepare(ObjectNode body, String upstreamModel, Endpoint endpoint, boolean stream) {
        body.put("model", upstreamModel);
        if (!stream || !endpoint.needsIncludeUsage()) {
            return false;
        }
        JsonNode options = body.get("stream_options");
        if (options instanceof ObjectNode object) {
            if (object.path("include_usage").asBoolean(false)) {
                return false;
            }
            object.put("include_usage", true);
            return true;
        }
        body.putObject("stream_options").put("include_usage", true);
        return true;
    }

    /** The completion maxima a request may name, by endpoint. */
    private static final String[] MAXIMA = {"max_completion_tokens", "max_tokens", "max_output_tokens"};

    @Override
    public void capCompletion(ObjectNode body, Endpoint endpoint, long perChoice, java.net.URI provider) {
        if (endpoint == Endpoint.EMBEDDINGS) {
            return;
        }
        boolean honoured = false;
        for (String field : MAXIMA) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull()) {
                honoured |= honours(endpoint, provider, field);
                if (!value.canConvertToLong() || value.asLong() > perChoice) {
                    body.put(field, perChoice);
                }
            }
        }
        if (!honoured) {
            body.put(maximumField(endpoint, provider), perChoice);
        }
    }

    /**
     * Whether the provider honours {@code field} as the endpoint's completion maximum: a maximum under another
     * endpoint's name ({@code max_output_tokens} on a chat) is ignored by the servers, and the OpenAI-compatible
     * ones do not all know {@code max_completion_tokens}.
     */
    private static boolean honours(Endpoint endpoint, java.net.URI provider, String field) {
        return switch (endpoint) {
            case RESPONSES -> field.equals("max_output_tokens");
            case CHAT_COMPLETIONS -> field.equals("max_tokens") || field.equals(maximumField(endpoint, provider));
            default -> field.equals("max_tokens");
        };
    }

    /**
     * The field an endpoint's completion maximum goes in. Chat: OpenAI's own API (and Azure's) refuses
     * {@code max_tokens} for its reasoning models and takes {@code max_completion_tokens}; the
     * OpenAI-compatible servers all take {@code max_tokens}, and several refuse the newer name.
     */
    public static String maximumField(Endpoint endpoint, java.net.URI provider) {
        return switch (endpoint) {
            case RESPONSES -> "max_output_tokens";
            case CHAT_COMPLETIONS -> {
                String host = provider.getHost() == null ? "" : provider.getHost();
                yield host.equals("api.openai.com") || host.endsWith(".openai.azure.com") ? "max_completion_tokens" : "max_tokens";
            }
            default -> "max_tokens";
        };
    }

    @Override
    public Optional<Usage> usage(JsonNode answer) {
        return UsageReader.read(answer);
    }

    @Override
    public boolean isGatewayUsageEvent(JsonNode event, Endpoint endpoint) {
        if (!endpoint.needsIncludeUsage()) {
            return false;
        }
        JsonNode choices = event.get("choices");
        JsonNode usage = event.get("usage");
        return choices != null && choices.isArray() && choices.isEmpty() && usage != null && usage.isObject();
    }
}
