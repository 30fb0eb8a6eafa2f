package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import java.io.IOException;
import java.util.Set;

/**
 * An OpenAI chat completions request as an Anthropic Messages API request: system and developer messages as the
 * system prompt; text and image parts as blocks; the assistant's {@code tool_calls} as {@code tool_use} blocks
 * and {@code tool} messages as {@code tool_result} blocks of the next user turn (consecutive turns of one role
 * become one, as the Messages API wants); tools, {@code tool_choice}, {@code parallel_tool_calls}, {@code stop},
 * {@code temperature}, {@code top_p}, {@code user}, and the completion maximum ({@code max_tokens}, which the
 * Messages API requires). What it cannot carry ({@code n} above 1, log probabilities, a JSON response format,
 * audio, penalties, a temperature above 1, legacy functions) is refused with a 400 naming it.
 */
final class ChatToMessages {

    /** Chat fields that change the answer and have no counterpart, refused unless absent, null or false. */
    private static final Set<String> REFUSED = Set.of("logprobs", "top_logprobs", "audio", "modalities", "functions",
            "function_call", "prediction", "logit_bias", "web_search_options");

    private ChatToMessages() {
    }

    /** @param defaultMaxTokens the completion maximum when the request names none */
    static ObjectNode request(ObjectNode chat, String model, long defaultMaxTokens) {
        for (String field : REFUSED) {
            JsonNode value = chat.get(field);
            if (value != null && !value.isNull() && !(value.isBoolean() && !value.asBoolean())) {
                throw MessagesToChat.untranslatable(field, "'" + field + "'");
            }
        }
        if (chat.path("n").asLong(1) != 1) {
            throw MessagesToChat.untranslatable("n", "more than one choice ('n')");
        }
        for (String penalty : new String[] {"presence_penalty", "frequency_penalty"}) {
            if (chat.path(penalty).asDouble(0) != 0) {
                throw MessagesToChat.untranslatable(penalty, "'" + penalty + "'");
            }
        }
        String format = chat.path("response_format").path("type").asText("text");
        if (!format.equals("text")) {
            throw MessagesToChat.untranslatable("response_format", "a response format of type '" + format + "'");
        }
        ObjectNode messages = Json.MAPPER.createObjectNode();
        messages.put("model", model);
        messages.put("max_tokens", maxTokens(chat, defaultMaxTokens));
        StringBuilder system = new StringBuilder();
        ArrayNode turns = messages.putArray("messages");
        JsonNode input = chat.get("messages");
        if (input == null || !input.isArray()) {
            throw GatewayException.invalidRequest("messages", "'messages' must be an array of messages.");
        }
        for (int i = 0; i < input.size(); i++) {
            message(input.get(i), i, system, turns);
        }
        if (!system.isEmpty()) {
            messages.put("system", system.toString());
        }
        JsonNode temperature = chat.get("temperature");
        if (temperature != null && temperature.isNumber()) {
            if (temperature.asDouble() > 1) {
                throw GatewayException.invalidRequest("temperature", "The model is served by Anthropic, whose temperature"
                        + " is between 0 and 1, not " + temperature.asText() + ".");
            }
            messages.set("temperature", temperature.deepCopy());
        }
        if (chat.path("top_p").isNumber()) {
            messages.set("top_p", chat.get("top_p").deepCopy());
        }
        JsonNode stop = chat.get("stop");
        if (stop != null && stop.isTextual()) {
            messages.putArray("stop_sequences").add(stop.asText());
        } else if (stop != null && stop.isArray()) {
            messages.set("stop_sequences", stop.deepCopy());
        }
        if (chat.path("user").isTextual()) {
            messages.putObject("metadata").put("user_id", chat.path("user").asText());
        }
        tools(chat, messages);
        if (chat.path("stream").asBoolean(false)) {
            messages.put("stream", true);
        }
        return messages;
    }

    /** The request's smallest completion maximum, or the default; Anthropic's API takes no maximum below 1. */
    private static long maxTokens(ObjectNode chat, long defaultMaxTokens) {
        long most = -1;
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = chat.get(field);
            if (value != null && value.canConvertToLong()) {
                if (value.asLong() < 1) {
                    throw GatewayException.invalidRequest(field, "The model is served by Anthropic, whose completion"
                            + " maximum is at least 1, not " + value.asLong() + ".");
                }
                most = most < 0 ? value.asLong() : Math.min(most, value.asLong());
            }
        }
        return most < 0 ? defaultMaxTokens : most;
    }

    private static void message(JsonNode message, int index, StringBuilder system, ArrayNode turns) {
        String role = message.path("role").asText("");
        JsonNode content = message.get("content");
        String param = "messages." + index;
        switch (role) {
            case "system", "developer" -> {
                if (!system.isEmpty()) {
                    system.append("\n\n");
                }
                system.append(text(content, param));
            }
            case "user" -> blocks(turns, "user").addAll(userBlocks(content, param));
            case "assistant" -> {
                ArrayNode blocks = Json.MAPPER.createArrayNode();
                String text = content == null || content.isNull() ? "" : text(content, param);
                if (!text.isEmpty()) {
                    blocks.addObject().put("type", "text").put("text", text);
                }
                for (JsonNode call : message.path("tool_calls")) {
                    ObjectNode use = blocks.addObject().put("type", "tool_use").put("id", call.path("id").asText(""))
                            .put("name", call.path("function").path("name").asText(""));
                    use.set("input", arguments(call.path("function").path("arguments").asText("{}"), param));
                }
                if (!blocks.isEmpty()) {
                    blocks(turns, "assistant").addAll(blocks);
                }
            }
            case "tool" -> {
                ObjectNode result = blocks(turns, "user").addObject().put("type", "tool_result")
                        .put("tool_use_id", message.path("tool_call_id").asText(""));
                result.put("content", content == null || content.isNull() ? "" : text(content, param));
            }
            default -> throw GatewayException.invalidRequest(param + ".role", "A message's role must be system, developer,"
                    + " user, assistant or tool, not '" + role + "'.");
        }
    }

    /** The content blocks of the last turn when it is {@code role}'s, else of a new turn of {@code role}. */
    private static ArrayNode blocks(ArrayNode turns, String role) {
        if (!turns.isEmpty() && role.equals(turns.get(turns.size() - 1).path("role").asText())) {
            return (ArrayNode) turns.get(turns.size() - 1).get("content");
        }
        ObjectNode turn = turns.addObject().put("role", role);
        return turn.putArray("content");
    }

    private static ArrayNode userBlocks(JsonNode content, String param) {
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        if (content != null && content.isTextual()) {
            blocks.addObject().put("type", "text").put("text", content.asText());
            return blocks;
        }
        if (content == null || !content.isArray()) {
            throw GatewayException.invalidRequest(param + ".content", "A user message's content must be a string or an array of parts.");
        }
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> blocks.addObject().put("type", "text").put("text", part.path("text").asText(""));
                case "image_url" -> blocks.add(image(part.path("image_url").path("url").asText(""), param));
                default -> throw MessagesToChat.untranslatable(param + ".content", "a content part of type '" + type + "'");
            }
        }
        return blocks;
    }

    private static ObjectNode image(String url, String param) {
        ObjectNode block = Json.MAPPER.createObjectNode().put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            int semicolon = url.indexOf(';');
            if (comma < 0 || semicolon < 0 || semicolon > comma || !url.substring(semicolon, comma).equals(";base64")) {
                throw GatewayException.invalidRequest(param + ".content", "An image's data URL must be base64-encoded.");
            }
            source.put("type", "base64").put("media_type", url.substring(5, semicolon)).put("data", url.substring(comma + 1));
        } else {
            source.put("type", "url").put("url", url);
        }
        return block;
    }

    /** A message's content as text: a string, or its text parts joined. */
    private static String text(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw GatewayException.invalidRequest(param + ".content", "A message's content must be a string or an array of parts.");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (!"text".equals(part.path("type").asText())) {
                throw MessagesToChat.untranslatable(param + ".content", "a content part of type '" + part.path("type").asText()
                        + "' in this message");
            }
            text.append(part.path("text").asText(""));
        }
        return text.toString();
    }

    private static JsonNode arguments(String arguments, String param) {
        try {
            JsonNode input = Json.parse(arguments.isBlank() ? "{}" : arguments);
            if (input.isObject()) {
                return input;
            }
        } catch (IOException e) {
            // refused below
        }
        throw GatewayException.invalidRequest(param + ".tool_calls", "A tool call's arguments must be a JSON object.");
    }

    private static void tools(ObjectNode chat, ObjectNode messages) {
        JsonNode tools = chat.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode out = messages.putArray("tools");
            for (JsonNode tool : tools) {
                if (!"function".equals(tool.path("type").asText("function"))) {
                    throw MessagesToChat.untranslatable("tools", "a tool of type '" + tool.path("type").asText() + "'");
                }
                JsonNode function = tool.path("function");
                ObjectNode definition = out.addObject().put("name", function.path("name").asText(""));
                if (function.hasNonNull("description")) {
                    definition.put("description", function.path("description").asText());
                }
                JsonNode parameters = function.get("parameters");
                if (parameters != null && parameters.isObject()) {
                    definition.set("input_schema", parameters.deepCopy());
                } else {
                    definition.putObject("input_schema").put("type", "object");
                }
                if (function.path("strict").asBoolean(false)) { // only models with structured outputs take it at all
                    definition.put("strict", true);
                }
            }
        }
        JsonNode choice = chat.get("tool_choice");
        ObjectNode toolChoice = null;
        if (choice != null && choice.isTextual()) {
            toolChoice = Json.MAPPER.createObjectNode().put("type", switch (choice.asText()) {
                case "required" -> "any";
                case "none" -> "none";
                default -> "auto";
            });
        } else if (choice != null && choice.isObject()) {
            toolChoice = Json.MAPPER.createObjectNode().put("type", "tool").put("name", choice.path("function").path("name").asText(""));
        }
        if (chat.path("parallel_tool_calls").isBoolean() && !chat.path("parallel_tool_calls").asBoolean()) {
            if (toolChoice == null) {
                toolChoice = Json.MAPPER.createObjectNode().put("type", "auto");
            }
            if (!"none".equals(toolChoice.path("type").asText())) {
                toolChoice.put("disable_parallel_tool_use", true);
            }
        }
        if (toolChoice != null && messages.has("tools") || toolChoice != null && "none".equals(toolChoice.path("type").asText())) {
            messages.set("tool_choice", toolChoice);
        }
    }
}
