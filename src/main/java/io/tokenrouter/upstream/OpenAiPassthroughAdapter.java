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
