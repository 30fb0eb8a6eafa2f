package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import io.tokenrouter.upstream.UsageReader;
import java.io.IOException;

/** Complete (non-streamed) answers of one API as the other's, and the stop reasons between them. */
final class Answers {

    private Answers() {
    }

    /** A chat completion as an Anthropic message: text and tool calls as content blocks, its usage. */
    static ObjectNode message(JsonNode completion) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("id", messageId(completion.path("id").asText("")));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", completion.path("model").asText(""));
        ArrayNode content = message.putArray("content");
        JsonNode choice = completion.path("choices").path(0);
        JsonNode answer = choice.path("message");
        if (answer.path("content").isTextual() && !answer.path("content").asText().isEmpty()) {
            content.addObject().put("type", "text").put("text", answer.path("content").asText());
        }
        for (JsonNode call : answer.path("tool_calls")) {
            ObjectNode use = content.addObject().put("type", "tool_use").put("id", toolUseId(call.path("id").asText("")))
                    .put("name", call.path("function").path("name").asText(""));
            use.set("input", input(call.path("function").path("arguments").asText("")));
        }
        message.put("stop_reason", stopReason(choice.path("finish_reason").asText(null)));
        message.putNull("stop_sequence");
        message.set("usage", anthropicUsage(UsageReader.read(completion).orElse(Usage.NONE)));
        return message;
    }

    /** An Anthropic message as a chat completion: its text, its tool calls, the finish reason and usage. */
    static ObjectNode completion(JsonNode message, long created) {
        ObjectNode completion = Json.MAPPER.createObjectNode();
        completion.put("id", "chatcmpl-" + message.path("id").asText(""));
        completion.put("object", "chat.completion");
        completion.put("created", created);
        completion.put("model", message.path("model").asText(""));
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode answer = choice.putObject("message").put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = Json.MAPPER.createArrayNode();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText("")) {
                case "text" -> text.append(block.path("text").asText(""));
                case "thinking" -> reasoning.append(block.path("thinking").asText(""));
                case "tool_use" -> {
                    ObjectNode call = calls.addObject().put("id", block.path("id").asText("")).put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText(""))
                            .put("arguments", Json.text(block.path("input")));
                }
                default -> {
                    // server tool blocks and redacted thinking have no place in a chat message
                }
            }
        }
        if (text.isEmpty() && !calls.isEmpty()) {
            answer.putNull("content");
        } else {
            answer.put("content", text.toString());
        }
        if (!reasoning.isEmpty()) {
            answer.put("reasoning_content", reasoning.toString());
        }
        if (!calls.isEmpty()) {
            answer.set("tool_calls", calls);
        }
        choice.put("finish_reason", finishReason(message.path("stop_reason").asText(null)));
        completion.set("usage", openAiUsage(UsageReader.anthropic(message).orElse(Usage.NONE)));
        return completion;
    }

    /** OpenAI's finish reason as Anthropic's stop reason. */
    static String stopReason(String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /** Anthropic's stop reason as OpenAI's finish reason. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    static ObjectNode anthropicUsage(Usage usage) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("input_tokens", Math.max(0, usage.promptTokens() - usage.cachedTokens()));
        out.put("cache_creation_input_tokens", 0);
        out.put("cache_read_input_tokens", usage.cachedTokens());
        out.put("output_tokens", usage.completionTokens());
        return out;
    }

    static ObjectNode openAiUsage(Usage usage) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("prompt_tokens", usage.promptTokens());
        out.put("completion_tokens", usage.completionTokens());
        out.put("total_tokens", usage.totalTokens());
        out.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        return out;
    }

    /** An Anthropic message id for a chat completion's id. */
    static String messageId(String completionId) {
        return completionId.startsWith("msg_") ? completionId : "msg_" + completionId;
    }

    /** A tool call id as Anthropic's clients expect it; one that is empty gets one. */
    static String toolUseId(String callId) {
        return callId.isEmpty() ? "toolu_" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) : callId;
    }

    /** A tool call's JSON arguments as a tool use's input; arguments that are no JSON object are kept as text. */
    static JsonNode input(String arguments) {
        if (arguments.isBlank()) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            JsonNode input = Json.parse(arguments);
            if (input.isObject()) {
                return input;
            }
        } catch (IOException e) {
            // kept as text below
        }
        return Json.MAPPER.createObjectNode().put("arguments", arguments);
    }
}
