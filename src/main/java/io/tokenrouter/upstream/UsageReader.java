package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Usage;
import java.util.Optional;

/**
 * Reads the token figures from any OpenAI response kind: chat and completions ({@code prompt_tokens},
 * {@code completion_tokens}), embeddings ({@code prompt_tokens}), responses ({@code input_tokens},
 * {@code output_tokens}, also inside a streamed {@code response.completed} event), with cached and
 * reasoning tokens where reported.
 */
public final class UsageReader {

    private UsageReader() {
    }

    public static Optional<Usage> read(JsonNode root) {
        if (root == null) {
            return Optional.empty();
        }
        JsonNode usage = root.get("usage");
        if (usage == null || !usage.isObject()) {
            JsonNode response = root.get("response");
            usage = response == null ? null : response.get("usage");
        }
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        return Optional.of(usage.has("input_tokens") || usage.has("output_tokens") ? responses(usage) : chat(usage));
    }

    private static Usage chat(JsonNode usage) {
        long prompt = usage.path("prompt_tokens").asLong(0);
        long completion = usage.path("completion_tokens").asLong(0);
        if (!usage.has("completion_tokens") && usage.has("total_tokens")) {
            completion = Math.max(0, usage.path("total_tokens").asLong(0) - prompt);
        }
        return new Usage(prompt, completion,
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0), false);
    }

    private static Usage responses(JsonNode usage) {
        return new Usage(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
                usage.path("input_tokens_details").path("cached_tokens").asLong(0),
                usage.path("output_tokens_details").path("reasoning_tokens").asLong(0), false);
    }
}
