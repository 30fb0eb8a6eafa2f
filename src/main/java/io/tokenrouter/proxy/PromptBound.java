package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.usage.TokenEstimator;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * The most tokens a request's prompt can cost, as reserved against token and cost limits before it is
 * forwarded. Two bounds, the cheap one first:
 * <ul>
 * <li>{@link #ofBytes}: every byte of the body is at most one token (a byte-level tokenizer's token covers
 * at least one byte; a token id in an array is at least two bytes of JSON), and each image or audio part
 * at most {@value #MEDIA_TOKENS} (a small image can cost more tokens than its bytes). It takes no more work
 * than counting the parts.</li>
 * <li>{@link #ofTokens}, only when the byte bound does not fit what is left: the text of the whole body
 * (every field that can reach the provider's tokenizer, tools and schemas included) counted with
 * {@code o200k_base}, times {@value #TOKENIZER_MARGIN} for tokenizers with smaller vocabularies, plus
 * token-id arrays at their length, {@value #PER_MESSAGE} per message and the media ceilings; never above
 * the byte bound. Text beyond {@value #MAX_TOKENIZED_CHARS} characters is never tokenised: the byte bound
 * decides such a request alone.</li>
 * </ul>
 * A continued Responses API conversation adds what the provider prepends ({@code previous_response_id}:
 * that response's recorded context, else {@value #MAX_CONTEXT_TOKENS}).
 */
final class PromptBound {

    /** The most an image or audio part is counted as (OpenAI's largest high-detail image is about 1,500). */
    static final long MEDIA_TOKENS = 4_096;
    static final double TOKENIZER_MARGIN = 1.5;
    static final long PER_MESSAGE = 16;
    static final int MAX_TOKENIZED_CHARS = 1_000_000;
    /** What a continuation whose context the gateway does not know may prepend: the largest context windows. */
    static final long MAX_CONTEXT_TOKENS = 1L << 20;

    private PromptBound() {
    }

    /** The byte bound of a body of {@code bodyBytes} bytes. */
    static long ofBytes(long bodyBytes, ObjectNode body) {
        return TokenBudget.saturatedAdd(bodyBytes, mediaParts(body) * MEDIA_TOKENS);
    }

    /** The tokenizer's bound, never above {@code byteBound}; -1 when the text is too long to be tokenised. */
    static long ofTokens(ObjectNode body, long byteBound) {
        Walk walk = new Walk();
        if (!walk.collect(body)) {
            return -1;
        }
        long tokens = (long) Math.ceil(TokenEstimator.count(walk.text) * TOKENIZER_MARGIN);
        long bound = tokens + walk.tokenIds + walk.messages * PER_MESSAGE + walk.media * MEDIA_TOKENS + PER_MESSAGE;
        return Math.min(byteBound, bound);
    }

    /** Image and audio parts anywhere in the body. */
    static long mediaParts(JsonNode body) {
        long parts = 0;
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(body);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isObject() && isMedia(node)) {
                parts++;
            }
            if (node.isContainerNode()) {
                node.forEach(pending::push);
            }
        }
        return parts;
    }

    private static boolean isMedia(JsonNode part) {
        String type = part.path("type").asText("");
        return type.equals("image_url") || type.equals("input_image") || type.equals("image") || type.equals("input_audio")
                || type.equals("audio") || (type.isEmpty() && (part.has("image_url") || part.has("input_audio")));
    }

    /** One pass over the body, iterative (a body is as deep as its parser allowed), collecting what counts. */
    private static final class Walk {
        final StringBuilder text = new StringBuilder();
        long tokenIds;
        long messages;
        long media;

        /** False as soon as the text exceeds what is ever tokenised. */
        boolean collect(ObjectNode body) {
            Deque<JsonNode> pending = new ArrayDeque<>();
            pending.push(body);
            messages = body.path("messages").size() + (body.path("input").isArray() ? body.path("input").size() : 0);
            while (!pending.isEmpty()) {
                JsonNode node = pending.pop();
                if (node.isTextual()) {
                    text.append(node.asText()).append('\n');
                } else if (node.isIntegralNumber()) {
                    tokenIds++;
                } else if (node.isArray()) {
                    node.forEach(pending::push);
                } else if (node.isObject()) {
                    if (isMedia(node)) {
                        media++;
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> f = node.fields(); f.hasNext(); ) {
                        Map.Entry<String, JsonNode> field = f.next();
                        text.append(field.getKey()).append('\n');
                        pending.push(field.getValue());
                    }
                }
                if (text.length() > MAX_TOKENIZED_CHARS) {
                    return false;
                }
            }
            return true;
        }
    }
}
