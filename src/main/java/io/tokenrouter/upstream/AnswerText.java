package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The generated text of an answer, whole or one streamed piece at a time, without markup: OpenAI's, and
 * Anthropic's messages ({@code content} text blocks, {@code text_delta} events).
 */
public final class AnswerText {

    private AnswerText() {
    }

    /** The text of a complete answer: chat message, completion text or responses output text. */
    public static String of(JsonNode answer) {
        StringBuilder text = new StringBuilder();
        for (JsonNode choice : answer.path("choices")) {
            JsonNode content = choice.path("message").path("content");
            text.append(content.isTextual() ? content.asText() : choice.path("text").asText(""));
        }
        for (JsonNode item : answer.path("output")) {
            for (JsonNode part : item.path("content")) {
                if ("output_text".equals(part.path("type").asText())) {
                    text.append(part.path("text").asText(""));
                }
            }
        }
        if ("message".equals(answer.path("type").asText())) {
            for (JsonNode block : answer.path("content")) {
                if ("text".equals(block.path("type").asText())) {
                    text.append(block.path("text").asText(""));
                }
            }
        }
        return text.toString();
    }

    /** The text one streamed event adds: a chat delta, a completion piece or a responses text delta. */
    public static String delta(JsonNode event) {
        StringBuilder text = new StringBuilder();
        for (JsonNode choice : event.path("choices")) {
            JsonNode content = choice.path("delta").path("content");
            text.append(content.isTextual() ? content.asText() : choice.path("text").asText(""));
        }
        String type = event.path("type").asText();
        if ("response.output_text.delta".equals(type)) {
            text.append(event.path("delta").asText(""));
        } else if ("content_block_delta".equals(type) && "text_delta".equals(event.path("delta").path("type").asText())) {
            text.append(event.path("delta").path("text").asText(""));
        }
        return text.toString();
    }

    /** The Responses API conversation an answer or a streamed event names ({@code conversation.id}), or null. */
    public static String conversationId(JsonNode answer) {
        JsonNode id = answer.path("conversation").path("id");
        if (!id.isTextual()) {
            id = answer.path("response").path("conversation").path("id");
        }
        return id.isTextual() ? id.asText() : null;
    }

    /** The id an answer or its first streamed event carries (chat, completion, response or message id). */
    public static String id(JsonNode answer) {
        JsonNode id = answer.path("response").path("id");
        if (!id.isTextual()) {
            id = answer.path("message").path("id"); // Anthropic's message_start
        }
        if (id.isTextual()) {
            return id.asText();
        }
        return answer.path("id").isTextual() ? answer.path("id").asText() : null;
    }
}
