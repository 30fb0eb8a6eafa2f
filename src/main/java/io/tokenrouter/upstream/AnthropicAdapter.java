package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Usage;
import java.util.Optional;

/**
 * For Anthropic's Messages API, spoken by the client and the provider alike: the body passes through with
 * {@code model} set (and the completion maximum capped), answers and streams pass through untouched, and usage
 * is read from the message or from {@code message_start} and {@code message_delta}.
 */
public final class AnthropicAdapter implements UpstreamAdapter {

    public static final AnthropicAdapter INSTANCE = new AnthropicAdapter();
    /** The least thinking budget the Messages API accepts. */
    static final long LEAST_THINKING_BUDGET = 1024;

    private AnthropicAdapter() {
    }

    @Override
    public boolean prepare(ObjectNode body, String upstreamModel, Endpoint endpoint, boolean stream) {
        body.put("model", upstreamModel);
        return false;
    }

    /**
     * Sets {@code max_tokens} to {@code perChoice} when it is absent or above it; a thinking budget, which the API
     * wants below {@code max_tokens}, is lowered with it, and thinking left out when not even the least budget the
     * API takes would fit.
     */
    @Override
    public void capCompletion(ObjectNode body, Endpoint endpoint, long perChoice, java.net.URI provider) {
        if (endpoint != Endpoint.MESSAGES) {
            return;
        }
        JsonNode value = body.get("max_tokens");
        if (value == null || !value.canConvertToLong() || value.asLong() > perChoice) {
            body.put("max_tokens", perChoice);
        }
        if (body.get("thinking") instanceof ObjectNode thinking && thinking.path("budget_tokens").canConvertToLong()
                && thinking.path("budget_tokens").asLong() >= perChoice) {
            if (perChoice <= LEAST_THINKING_BUDGET) {
                body.remove("thinking"); // no budget the API takes fits below the maximum
            } else {
                thinking.put("budget_tokens", perChoice - 1);
            }
        }
    }

    @Override
    public Optional<Usage> usage(JsonNode answer) {
        return UsageReader.anthropic(answer);
    }

    /** {@code message_start} reports the prompt; {@code message_delta} (and a whole message) the answer too. */
    @Override
    public boolean completesUsage(JsonNode event) {
        String type = event.path("type").asText("");
        return type.equals("message_delta") || type.equals("message");
    }

    @Override
    public boolean isGatewayUsageEvent(JsonNode event, Endpoint endpoint) {
        return false;
    }
}
