package io.tokenrouter.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Iterator;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * Counts tokens with a real BPE tokenizer ({@code o200k_base}) for answers whose provider reported no
 * usage. The figures are estimates for non-OpenAI models and are flagged as such.
 */
public final class TokenEstimator {

    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    /** Request fields whose text is the prompt. */
    private static final Set<String> PROMPT_FIELDS = Set.of("messages", "prompt", "input", "instructions", "system");
    /** Tool and schema definitions, counted as their JSON text. */
    private static final List<String> DEFINITION_FIELDS = List.of("tools", "functions", "response_format", "text");
    /** Keys inside content whose values are markup, not text. */
    private static final Set<String> SKIPPED = Set.of("role", "type", "id", "object", "finish_reason", "status",
            "model", "index", "logprobs", "created", "created_at", "call_id", "image_url", "url", "signature", "cache_control",
            "data", "media_type");

    private TokenEstimator() {
    }

    public static long count(CharSequence text) {
        return text.length() == 0 ? 0 : ENCODING.countTokensOrdinary(text.toString());
    }

    /**
     * The prompt's tokens: the text of messages, prompt, input and instructions, and token ids given as arrays
     * of numbers ({@code "input": [[1, 2, 3]]}) at their count. Text beyond {@value #MAX_TOKENIZED_CHARS}
     * characters is not tokenised but counted at four characters a token, so an estimate never costs more
     * CPU than that much text.
     */
    public static long promptTokens(JsonNode request) {
        StringBuilder text = new StringBuilder();
        for (String field : PROMPT_FIELDS) {
            appendText(request.get(field), text);
        }
        for (String field : DEFINITION_FIELDS) { // the provider renders these into the prompt too
            JsonNode definitions = request.get(field);
            if (definitions != null && !definitions.isNull() && text.length() <= MAX_TOKENIZED_CHARS) {
                text.append('\n').append(definitions);
            }
        }
        long ids = 0;
        for (String field : TOKEN_ID_FIELDS) {
            ids += tokenIds(request.get(field));
        }
        return countCapped(text) + ids;
    }

    /** The most text ever given to the tokenizer at once. */
    public static final int MAX_TOKENIZED_CHARS = 1_000_000;
    /** Fields that may carry token ids instead of text. */
    private static final Set<String> TOKEN_ID_FIELDS = Set.of("prompt", "input");

    /** {@link #count}, tokenising at most {@value #MAX_TOKENIZED_CHARS} characters; the rest at 4 characters a token. */
    public static long countCapped(CharSequence text) {
        if (text.length() <= MAX_TOKENIZED_CHARS) {
            return count(text);
        }
        return count(text.subSequence(0, MAX_TOKENIZED_CHARS)) + (text.length() - MAX_TOKENIZED_CHARS + 3L) / 4;
    }

    /** How many integers there are in a value (a token-id array, or an array of them), at any depth. */
    private static long tokenIds(JsonNode node) {
        if (node == null || !node.isArray()) {
            return 0;
        }
        long ids = 0;
        for (JsonNode child : node) {
            ids += child.isIntegralNumber() ? 1 : tokenIds(child);
        }
        return ids;
    }

    /** Appends every text value under {@code node}, skipping structural fields. */
    public static void appendText(JsonNode node, StringBuilder out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isTextual()) {
            out.append(node.asText()).append('\n');
        } else if (node.isArray()) {
            node.forEach(child -> appendText(child, out));
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!SKIPPED.contains(field.getKey())) {
                    appendText(field.getValue(), out);
                }
            }
        }
    }

    /**
     * The generated text of an answer or a streamed event: choices (chat, completions), output or delta; an
     * Anthropic message's content blocks, or a streamed block's delta (text, thinking, a tool call's JSON).
     */
    public static void appendAnswerText(JsonNode answer, StringBuilder out) {
        appendText(answer.get("choices"), out);
        appendText(answer.get("output"), out);
        JsonNode delta = answer.get("delta");
        if (delta != null && delta.isTextual()) {
            out.append(delta.asText());
        } else if (delta != null && delta.isObject()) {
            for (String field : ANTHROPIC_DELTAS) {
                appendText(delta.get(field), out);
            }
        }
        if ("message".equals(answer.path("type").asText())) {
            appendText(answer.get("content"), out);
        }
    }

    /** The fields of an Anthropic stream's delta that carry generated text. */
    private static final List<String> ANTHROPIC_DELTAS = List.of("text", "thinking", "partial_json");
}
