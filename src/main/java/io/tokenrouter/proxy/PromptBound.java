package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.usage.TokenEstimator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * The most tokens a request's prompt can cost, as reserved against token and cost limits before it is
 * forwarded. Two bounds, the cheap one first:
 * <ul>
 * <li>{@link #ofBytes}: every byte of the body is at most one token (a byte-level tokenizer's token covers
 * at least one byte; a token id in an array is at least two bytes of JSON), and each image or audio part
 * at most {@value #MEDIA_TOKENS} (a small image can cost more tokens than its bytes), and {@value #TOOLS_OVERHEAD}
 * more for a request with tools. It takes no more work
 * than counting the parts.</li>
 * <li>{@link #ofTokens}, only when the byte bound does not fit what is left: the text of the whole body
 * (every field that can reach the provider's tokenizer, tools and schemas included) counted with
 * {@code o200k_base}, times {@value #TOKENIZER_MARGIN} for tokenizers with smaller vocabularies; text with
 * characters beyond ASCII (which byte-fallback tokenizers may split into a token per byte) and every number,
 * boolean and null at their UTF-8 length; token-id arrays of {@code prompt} and {@code input} at their length;
 * {@value #PER_MESSAGE} per message and the media ceilings; never above the byte bound. Text beyond {@value #MAX_TOKENIZED_CHARS} characters is never tokenised: the byte bound
 * decides such a request alone.</li>
 * </ul>
 * A continued Responses API conversation adds what the provider prepends ({@code previous_response_id}:
 * that response's recorded context, else {@value #MAX_CONTEXT_TOKENS}).
 */
final class PromptBound {

    /**
     * The most an image or audio part is counted as: gpt-4o-mini bills a high-detail image as 2,833 tokens plus
     * 5,667 per 512-pixel tile, up to eight tiles (48,169); the other models bill far less.
     */
    static final long MEDIA_TOKENS = 49_152;
    static final double TOKENIZER_MARGIN = 1.5;
    static final long PER_MESSAGE = 16;
    static final int MAX_TOKENIZED_CHARS = 1_000_000;
    /** What a continuation whose context the gateway does not know may prepend: the largest context windows. */
    static final long MAX_CONTEXT_TOKENS = 1L << 20;

    private PromptBound() {
    }

    /**
     * What a provider adds to a prompt with tools, beyond their definitions: Anthropic's tool-use system prompt is
     * 346 tokens (more with tool_choice any or tool), and the chat templates of the OpenAI-compatible servers a few
     * hundred; a small request with tools would otherwise report more than its bytes.
     */
    static final long TOOLS_OVERHEAD = 1_024;

    /** The byte bound of a body of {@code bodyBytes} bytes. */
    static long ofBytes(long bodyBytes, ObjectNode body) {
        return TokenBudget.saturatedAdd(TokenBudget.saturatedAdd(bodyBytes, mediaParts(body) * MEDIA_TOKENS), toolsOverhead(body));
    }

    private static long toolsOverhead(ObjectNode body) {
        JsonNode tools = body.get("tools");
        return tools != null && tools.isArray() && !tools.isEmpty() ? TOOLS_OVERHEAD : 0;
    }

    /** The tokenizer's bound, never above {@code byteBound}; -1 when the text is too long to be tokenised. */
    static long ofTokens(ObjectNode body, long byteBound) {
        Walk walk = new Walk();
        if (!walk.collect(body)) {
            return -1;
        }
        long tokens = (long) Math.ceil(TokenEstimator.count(walk.text) * TOKENIZER_MARGIN);
        long bound = tokens + walk.literal + walk.tokenIds + walk.messages * PER_MESSAGE + walk.media * MEDIA_TOKENS
                + PER_MESSAGE + toolsOverhead(body);
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
                || type.equals("document")
                || type.equals("audio") || (type.isEmpty() && (part.has("image_url") || part.has("input_audio")));
    }

    /** One pass over the body, iterative (a body is as deep as its parser allowed), collecting what counts. */
    private static final class Walk {
        final StringBuilder text = new StringBuilder();
        /** Counted at their UTF-8 length: numbers, booleans, nulls, and text beyond ASCII. */
        long literal;
        long tokenIds;
        long messages;
        long media;

        /** False as soon as the text exceeds what is ever tokenised. */
        boolean collect(ObjectNode body) {
            Deque<JsonNode> pending = new ArrayDeque<>();
            pending.push(body);
            messages = body.path("messages").size() + (body.path("input").isArray() ? body.path("input").size() : 0);
            // where token-id arrays may be: prompt and input themselves, or each of their elements
            Set<JsonNode> idArrays = Collections.newSetFromMap(new IdentityHashMap<>());
            for (String field : new String[] {"prompt", "input"}) {
                JsonNode value = body.get(field);
                if (value != null && value.isArray()) {
                    idArrays.add(value);
                    value.forEach(element -> {
                        if (element.isArray()) {
                            idArrays.add(element);
                        }
                    });
                }
            }
            while (!pending.isEmpty()) {
                JsonNode node = pending.pop();
                if (node.isTextual()) {
                    String value = node.asText();
                    if (isAscii(value)) {
                        text.append(value).append('\n');
                    } else {
                        literal += value.getBytes(StandardCharsets.UTF_8).length + 1;
                    }
                } else if (node.isValueNode()) {
                    literal += node.asText().length() + 1;
                } else if (node.isArray() && idArrays.contains(node) && allIntegers(node)) {
                    tokenIds += node.size();
                } else if (node.isArray()) {
                    node.forEach(pending::push);
                } else if (node.isObject()) {
                    if (isMedia(node)) {
                        media++;
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> f = node.fields(); f.hasNext(); ) {
                        Map.Entry<String, JsonNode> field = f.next();
                        if (isAscii(field.getKey())) {
                            text.append(field.getKey()).append('\n');
                        } else {
                            literal += field.getKey().getBytes(StandardCharsets.UTF_8).length + 1;
                        }
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

    /** Whether every element of a non-empty array is an integer. */
    private static boolean allIntegers(JsonNode array) {
        if (array.isEmpty()) {
            return false;
        }
        for (JsonNode element : array) {
            if (!element.isIntegralNumber()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
