package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import java.util.Set;

/**
 * An Anthropic Messages API request as an OpenAI chat completions request: the system prompt (and system
 * messages within the conversation) as system messages;
 * text and image blocks as content parts; {@code tool_use} blocks as the assistant's {@code tool_calls} and
 * {@code tool_result} blocks as {@code tool} messages; tools, {@code tool_choice}, {@code stop_sequences},
 * sampling parameters and {@code max_tokens}. Prompt-cache markers have no counterpart and no effect on the
 * answer, and go. A thinking block, a document, a server tool or anything else the chat API cannot carry is
 * refused with a 400 naming it.
 */
final class MessagesToChat {

    /** Fields of a Messages request that change what is answered and that a chat request cannot carry. */
    private static final Set<String> REFUSED = Set.of("mcp_servers", "container", "output_format");

    private MessagesToChat() {
    }

    /**
     * @param maximumField where the provider takes the completion maximum ({@code max_tokens} or
     *                     {@code max_completion_tokens})
     */
    static ObjectNode request(ObjectNode messages, String model, String maximumField) {
        for (String field : REFUSED) {
            if (messages.hasNonNull(field)) {
                throw untranslatable(field, "'" + field + "'");
            }
        }
        ObjectNode chat = Json.MAPPER.createObjectNode();
        chat.put("model", model);
        ArrayNode out = chat.putArray("messages");
        String system = systemText(messages.get("system"));
        if (system != null) {
            out.addObject().put("role", "system").put("content", system);
        }
        JsonNode turns = messages.get("messages");
        if (turns == null || !turns.isArray()) {
            throw GatewayException.invalidRequest("messages", "'messages' must be an array of messages.");
        }
        for (int i = 0; i < turns.size(); i++) {
            turn(turns.get(i), i, out);
        }
        copyNumber(messages, "max_tokens", chat, maximumField);
        copyNumber(messages, "temperature", chat, "temperature");
        copyNumber(messages, "top_p", chat, "top_p");
        copyNumber(messages, "top_k", chat, "top_k");
        JsonNode stops = messages.get("stop_sequences");
        if (stops != null && !stops.isNull()) {
            if (!stops.isArray()) {
                throw GatewayException.invalidRequest("stop_sequences", "'stop_sequences' must be an array of strings.");
            }
            chat.set("stop", stops.deepCopy());
        }
        String user = messages.path("metadata").path("user_id").asText(null);
        if (user != null) {
            chat.put("user", user);
        }
        tools(messages, chat);
        if (messages.path("stream").asBoolean(false)) {
            chat.put("stream", true);
            chat.putObject("stream_options").put("include_usage", true);
        }
        return chat;
    }

    private static String systemText(JsonNode system) {
        if (system == null || system.isNull()) {
            return null;
        }
        if (system.isTextual()) {
            return system.asText();
        }
        if (!system.isArray()) {
            throw GatewayException.invalidRequest("system", "'system' must be a string or an array of text blocks.");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : system) {
            if (!"text".equals(block.path("type").asText())) {
                throw untranslatable("system", "a system block of type '" + block.path("type").asText() + "'");
            }
            if (!text.isEmpty()) {
                text.append("\n\n");
            }
            text.append(block.path("text").asText(""));
        }
        return text.toString();
    }

    private static void turn(JsonNode turn, int index, ArrayNode out) {
        String role = turn.path("role").asText("");
        if (role.equals("system")) { // instructions within the conversation, as Claude Code sends them
            out.addObject().put("role", "system").put("content", systemText(turn.get("content")));
            return;
        }
        if (!role.equals("user") && !role.equals("assistant")) {
            throw GatewayException.invalidRequest("messages." + index + ".role",
                    "Each message's role must be 'user', 'assistant' or 'system', not '" + role + "'.");
        }
        JsonNode content = turn.get("content");
        if (content != null && content.isTextual()) {
            out.addObject().put("role", role).put("content", content.asText());
            return;
        }
        if (content == null || !content.isArray()) {
            throw GatewayException.invalidRequest("messages." + index + ".content",
                    "Each message's content must be a string or an array of content blocks.");
        }
        if (role.equals("assistant")) {
            assistant(content, index, out);
        } else {
            user(content, index, out);
        }
    }

    private static void assistant(JsonNode blocks, int index, ArrayNode out) {
        StringBuilder text = new StringBuilder();
        ArrayNode calls = Json.MAPPER.createArrayNode();
        for (JsonNode block : blocks) {
            String type = block.path("type").asText("");
            switch (type) {
                case "text" -> text.append(block.path("text").asText(""));
                case "tool_use" -> {
                    ObjectNode call = calls.addObject();
                    call.put("id", block.path("id").asText(""));
                    call.put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText(""))
                            .put("arguments", Json.text(block.has("input") ? block.get("input") : Json.MAPPER.createObjectNode()));
                }
                default -> throw untranslatable("messages." + index + ".content", "an assistant block of type '" + type + "'"
                        + (type.contains("thinking") ? " (its signature is only valid at Anthropic)" : ""));
            }
        }
        ObjectNode message = out.addObject().put("role", "assistant");
        if (!text.isEmpty() || calls.isEmpty()) {
            message.put("content", text.toString());
        } else {
            message.putNull("content");
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
    }

    /**
     * A user turn: its tool results as {@code tool} messages first (they answer the assistant's calls), then its text
     * and images, and the images the tool results held (a {@code tool} message carries text only).
     */
    private static void user(JsonNode blocks, int index, ArrayNode out) {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        ArrayNode resultImages = Json.MAPPER.createArrayNode();
        for (JsonNode block : blocks) {
            String type = block.path("type").asText("");
            switch (type) {
                case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asText(""));
                case "image" -> parts.add(image(block, "messages." + index + ".content"));
                case "tool_result" -> out.add(toolResult(block, index, resultImages));
                default -> throw untranslatable("messages." + index + ".content", "a user block of type '" + type + "'");
            }
        }
        parts.addAll(resultImages);
        if (parts.isEmpty()) {
            return;
        }
        ObjectNode message = out.addObject().put("role", "user");
        if (parts.size() == 1 && parts.get(0).has("text")) {
            message.put("content", parts.get(0).path("text").asText());
        } else {
            message.set("content", parts);
        }
    }

    private static ObjectNode toolResult(JsonNode block, int index, ArrayNode images) {
        ObjectNode message = Json.MAPPER.createObjectNode().put("role", "tool")
                .put("tool_call_id", block.path("tool_use_id").asText(""));
        JsonNode content = block.get("content");
        StringBuilder text = new StringBuilder();
        if (content != null && content.isTextual()) {
            text.append(content.asText());
        } else if (content != null && content.isArray()) {
            for (JsonNode part : content) {
                String type = part.path("type").asText();
                if (type.equals("image")) {
                    images.add(image(part, "messages." + index + ".content"));
                    continue;
                }
                if (!type.equals("text")) {
                    throw untranslatable("messages." + index + ".content", "a tool result block of type '" + type + "'");
                }
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(part.path("text").asText(""));
            }
        }
        if (block.path("is_error").asBoolean(false)) {
            text.insert(0, "Error: ");
        }
        return message.put("content", text.toString());
    }

    private static ObjectNode image(JsonNode block, String param) {
        JsonNode source = block.path("source");
        String url = switch (source.path("type").asText("")) {
            case "base64" -> "data:" + source.path("media_type").asText("image/png") + ";base64," + source.path("data").asText("");
            case "url" -> source.path("url").asText("");
            default -> throw untranslatable(param, "an image source of type '" + source.path("type").asText() + "'");
        };
        ObjectNode part = Json.MAPPER.createObjectNode().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }

    private static void tools(ObjectNode messages, ObjectNode chat) {
        JsonNode tools = messages.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode out = chat.putArray("tools");
            for (JsonNode tool : tools) {
                String type = tool.path("type").asText("custom");
                if (!type.equals("custom") || !tool.has("input_schema")) {
                    throw untranslatable("tools", "the server tool '" + tool.path("name").asText(type) + "'");
                }
                ObjectNode function = out.addObject().put("type", "function").putObject("function");
                function.put("name", tool.path("name").asText(""));
                if (tool.hasNonNull("description")) {
                    function.put("description", tool.path("description").asText());
                }
                function.set("parameters", tool.get("input_schema").deepCopy());
                if (tool.path("strict").isBoolean()) {
                    function.put("strict", tool.get("strict").asBoolean());
                }
            }
        }
        JsonNode choice = messages.get("tool_choice");
        if (choice == null || choice.isNull()) {
            return;
        }
        switch (choice.path("type").asText("")) {
            case "auto" -> chat.put("tool_choice", "auto");
            case "any" -> chat.put("tool_choice", "required");
            case "none" -> chat.put("tool_choice", "none");
            case "tool" -> chat.putObject("tool_choice").put("type", "function")
                    .putObject("function").put("name", choice.path("name").asText(""));
            default -> throw GatewayException.invalidRequest("tool_choice", "'tool_choice.type' must be auto, any, tool or none.");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
            chat.put("parallel_tool_calls", false);
        }
    }

    private static void copyNumber(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null && !value.isNull()) {
            if (!value.isNumber()) {
                throw GatewayException.invalidRequest(field, "'" + field + "' must be a number.");
            }
            to.set(as, value.deepCopy());
        }
    }

    static GatewayException untranslatable(String param, String what) {
        return new GatewayException(400, "invalid_request_error", "untranslatable", param, "The model is served by"
                + " a provider of the other API, which cannot carry " + what + "; send it to a model of a provider that"
                + " speaks it, or leave it out.");
    }
}
