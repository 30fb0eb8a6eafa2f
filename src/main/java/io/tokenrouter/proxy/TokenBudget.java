package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Texts;

/**
 * How many completion tokens a request may generate at most, as reserved against token and cost limits
 * before it is forwarded (its prompt's part is {@link PromptBound}): per generated choice, the largest of
 * the request's completion maxima ({@code max_completion_tokens}, {@code max_tokens},
 * {@code max_output_tokens}) capped at {@code max_reserved_completion_tokens}, or {@code default_max_tokens}
 * when it sets none. The number of choices is the larger of {@code n} and {@code best_of}. Every client
 * number is checked and bounded, so no request can reserve a negative or wrapped-around amount.
 */
final class TokenBudget {

    static final String[] MAXIMA = {"max_completion_tokens", "max_tokens", "max_output_tokens"};
    /** OpenAI's own ceiling on {@code n}; {@code best_of} is capped alike. */
    static final int MAX_CHOICES = 128;

    private TokenBudget() {
    }

    /** The most completion tokens one choice may generate: the request's maximum, capped at the ceiling. */
    static long perChoice(Endpoint endpoint, ObjectNode body, long defaultMaxTokens, long ceiling) {
        return !endpoint.generates() ? 0 : Math.min(completionMaximum(body, defaultMaxTokens), ceiling);
    }

    /**
     * How many choices the request generates: the larger of {@code n} and {@code best_of}, for each prompt of a
     * legacy completion's batch ({@code "prompt"} as an array of strings or of token-id arrays); 0 for embeddings
     * and token counts.
     */
    static long choices(Endpoint endpoint, ObjectNode body) {
        if (!endpoint.generates()) {
            return 0;
        }
        long perPrompt = Math.max(count(body, "n"), count(body, "best_of"));
        return endpoint == Endpoint.COMPLETIONS ? perPrompt * prompts(body.get("prompt")) : perPrompt;
    }

    /** A batch's prompts; an array of token ids (or anything else) is one prompt. */
    private static long prompts(JsonNode prompt) {
        if (prompt == null || !prompt.isArray()) {
            return 1;
        }
        for (JsonNode element : prompt) {
            if (!element.isIntegralNumber()) {
                return Math.max(1, prompt.size());
            }
        }
        return 1;
    }

    private static long completionMaximum(ObjectNode body, long defaultMaxTokens) {
        long largest = -1;
        for (String field : MAXIMA) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull()) {
                largest = Math.max(largest, wholeNumber(field, value, 0));
            }
        }
        return largest < 0 ? defaultMaxTokens : largest;
    }

    private static long count(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return 1;
        }
        long n = wholeNumber(field, value, 1);
        if (n > MAX_CHOICES) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be at most " + MAX_CHOICES + ", not " + n + ".");
        }
        return n;
    }

    /** A JSON integer of at least {@code min}; a larger number than a long holds saturates. */
    private static long wholeNumber(String field, JsonNode value, long min) {
        if (!value.isIntegralNumber()) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a whole number, not " + describe(value) + ".");
        }
        long n = value.canConvertToLong() ? value.asLong() : (value.bigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
        if (n < min) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be at least " + min + ", not " + value + ".");
        }
        return n;
    }

    private static String describe(JsonNode value) {
        return value.isTextual() ? "the string \"" + Texts.abbreviate(value.asText(), 40) + "\"" : Texts.abbreviate(value.toString(), 40);
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
