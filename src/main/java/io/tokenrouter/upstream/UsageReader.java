package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Usage;
import java.util.Optional;

/**
 * Reads the token figures from any OpenAI response kind: chat and completions ({@code prompt_tokens},
 * {@code completion_tokens}), embeddings ({@code prompt_tokens}), responses ({@code input_tokens},
 * {@code output_tokens}, also inside a streamed {@code response.completed} event), with cached and
 * reasoning tokens where reported; and Anthropic's Messages API ({@link #anthropic}).
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

    /**
     * Anthropic's figures, from a message ({@code usage}), a streamed {@code message_start} ({@code message.usage})
     * or {@code message_delta} ({@code usage}): its {@code input_tokens} leave out the tokens read from and written
     * to the prompt cache, which the prompt's figure here holds; {@code cache_creation.ephemeral_1h_input_tokens} says
     * how many of the written ones went to the 1-hour cache.
     */
    public static Optional<Usage> anthropic(JsonNode root) {
        if (root == null) {
            return Optional.empty();
        }
        JsonNode usage = root.get("usage");
        if (usage == null || !usage.isObject()) {
            JsonNode message = root.get("message");
            usage = message == null ? null : message.get("usage");
        }
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        long read = Math.max(0, count(usage, "cache_read_input_tokens"));
        long written = Math.max(0, count(usage, "cache_creation_input_tokens"));
        long input = Math.max(0, count(usage, "input_tokens"));
        long prompt = saturated(saturated(input, read), written);
        JsonNode kinds = usage.get("cache_creation");
        long hour = kinds == null || !kinds.isObject() ? 0
                : Math.max(0, Math.min(count(kinds, "ephemeral_1h_input_tokens"), written));
        return Optional.of(new Usage(prompt, count(usage, "output_tokens"), read, 0, false, written, hour));
    }

    /** A figure as reported; absent, null or not a number is 0, and one beyond a long saturates. */
    private static long count(JsonNode usage, String field) {
        JsonNode value = usage.get(field);
        if (value == null || !value.isNumber()) {
            return 0;
        }
        return value.canConvertToLong() ? value.asLong() : value.bigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    /** The sum of two figures that are not negative, at most {@code Long.MAX_VALUE}. */
    private static long saturated(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
