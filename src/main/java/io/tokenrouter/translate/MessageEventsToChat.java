package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.ErrorBody;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import io.tokenrouter.upstream.UsageReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's stream as a streamed chat completion: the first chunk names the assistant's role, text deltas
 * become content, thinking deltas {@code reasoning_content}, each {@code tool_use} block a tool call whose
 * {@code input_json_delta}s are its arguments; {@code message_delta} gives the finish reason, and
 * {@code message_stop} the usage chunk (when the client asked for it) and {@code [DONE]}. A provider's {@code error}
 * event, or a stream that ends before its {@code message_delta}, ends the answer with an error chunk instead.
 */
final class MessageEventsToChat implements StreamTranslator {

    private final boolean includeUsage;
    private final long created;
    private String id = "chatcmpl-";
    private String model = "";
    private boolean ended;
    /** Anthropic's block index to OpenAI's tool call index. */
    private final Map<Integer, Integer> tools = new HashMap<>();
    /** The tool calls whose arguments have begun. */
    private final java.util.Set<Integer> withArguments = new java.util.HashSet<>();
    private boolean stopped;
    private Usage usage = Usage.NONE;

    MessageEventsToChat(boolean includeUsage, long created) {
        this.includeUsage = includeUsage;
        this.created = created;
    }

    @Override
    public void event(String type, JsonNode data, List<Frame> out) {
        if (ended || data == null) {
            return;
        }
        String kind = type != null ? type : data.path("type").asText("");
        UsageReader.anthropic(data).ifPresent(reported -> usage = usage.max(reported));
        switch (kind) {
            case "message_start" -> {
                id = "chatcmpl-" + data.path("message").path("id").asText("");
                model = data.path("message").path("model").asText("");
                ObjectNode chunk = chunk();
                delta(chunk).put("role", "assistant").put("content", "");
                out.add(StreamTranslator.openAi(chunk));
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                if ("tool_use".equals(block.path("type").asText())) {
                    int call = tools.size();
                    tools.put(data.path("index").asInt(), call);
                    ObjectNode chunk = chunk();
                    ObjectNode tool = delta(chunk).putArray("tool_calls").addObject().put("index", call)
                            .put("id", block.path("id").asText("")).put("type", "function");
                    tool.putObject("function").put("name", block.path("name").asText("")).put("arguments", "");
                    out.add(StreamTranslator.openAi(chunk));
                } else if ("text".equals(block.path("type").asText()) && !block.path("text").asText("").isEmpty()) {
                    ObjectNode chunk = chunk();
                    delta(chunk).put("content", block.path("text").asText());
                    out.add(StreamTranslator.openAi(chunk));
                }
            }
            case "content_block_delta" -> blockDelta(data, out);
            case "content_block_stop" -> {
                Integer call = tools.get(data.path("index").asInt());
                if (call != null && !withArguments.contains(call)) { // a tool called without input: "{}", not ""
                    ObjectNode chunk = chunk();
                    delta(chunk).putArray("tool_calls").addObject().put("index", call)
                            .putObject("function").put("arguments", "{}");
                    out.add(StreamTranslator.openAi(chunk));
                }
            }
            case "message_delta" -> {
                stopped = true;
                ObjectNode chunk = chunk();
                delta(chunk);
                ((ObjectNode) chunk.path("choices").path(0)).put("finish_reason",
                        Answers.finishReason(data.path("delta").path("stop_reason").asText(null)));
                out.add(StreamTranslator.openAi(chunk));
            }
            case "message_stop" -> end(out);
            case "error" -> fail(data, out);
            default -> {
                // ping, and the blocks' stops: nothing to say in a chat stream
            }
        }
    }

    private void blockDelta(JsonNode data, List<Frame> out) {
        JsonNode delta = data.path("delta");
        ObjectNode chunk = chunk();
        switch (delta.path("type").asText("")) {
            case "text_delta" -> delta(chunk).put("content", delta.path("text").asText(""));
            case "thinking_delta" -> delta(chunk).put("reasoning_content", delta.path("thinking").asText(""));
            case "input_json_delta" -> {
                Integer call = tools.get(data.path("index").asInt());
                if (call == null || delta.path("partial_json").asText("").isEmpty()) {
                    return;
                }
                withArguments.add(call);
                delta(chunk).putArray("tool_calls").addObject().put("index", call)
                        .putObject("function").put("arguments", delta.path("partial_json").asText(""));
            }
            default -> {
                return; // signatures, citations: no place in a chat stream
            }
        }
        out.add(StreamTranslator.openAi(chunk));
    }

    private ObjectNode chunk() {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        ArrayNode choices = chunk.putArray("choices");
        choices.addObject().put("index", 0).putNull("finish_reason");
        return chunk;
    }

    private static ObjectNode delta(ObjectNode chunk) {
        ObjectNode choice = (ObjectNode) chunk.path("choices").path(0);
        return choice.has("delta") ? (ObjectNode) choice.get("delta") : choice.putObject("delta");
    }

    /** An error from the provider (its {@code error} event, or a stream that ended early): the answer ends with it. */
    private void fail(JsonNode anthropicError, List<Frame> out) {
        ended = true;
        ObjectNode error = ErrorBody.fromAnthropic(anthropicError, 502);
        out.add(StreamTranslator.openAi(error != null ? error
                : ErrorBody.of("The provider's stream ended before its answer did.", "upstream_error", null, "upstream_stream_error")));
    }

    /** The answer's end: after the stop reason, the usage chunk (when asked for) and {@code [DONE]}; before it, an error. */
    @Override
    public void end(List<Frame> out) {
        if (ended) {
            return;
        }
        if (!stopped) {
            fail(null, out);
            return;
        }
        ended = true;
        if (includeUsage) {
            ObjectNode chunk = Json.MAPPER.createObjectNode();
            chunk.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
            chunk.putArray("choices");
            chunk.set("usage", Answers.openAiUsage(usage));
            out.add(StreamTranslator.openAi(chunk));
        }
        out.add(DONE);
    }
}
