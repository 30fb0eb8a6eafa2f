package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import io.tokenrouter.upstream.UsageReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A streamed chat completion as Anthropic's stream: {@code message_start} with the first chunk (its input tokens
 * the gateway's count of the prompt: the provider reports its own only at the end, and Anthropic's clients size
 * their context by it), a text block while text arrives, a {@code tool_use} block per tool call with its
 * arguments as {@code input_json_delta}, each block stopped when the next starts, and once the provider is done
 * (its usage read) {@code message_delta} with the stop reason and usage, and {@code message_stop}.
 */
final class ChatEventsToMessages implements StreamTranslator {

    private final long promptEstimate;
    private boolean started;
    private boolean ended;
    private String model = "";
    /** The open block's index and kind; -1 when none is open. */
    private int open = -1;
    private boolean openIsText;
    private int nextIndex;
    /** OpenAI's tool call index to the block that carries it. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private String stopReason;
    private Usage usage;

    ChatEventsToMessages(long promptEstimate) {
        this.promptEstimate = promptEstimate;
    }

    @Override
    public void event(String type, JsonNode data, List<Frame> out) {
        if (ended) {
            return;
        }
        if (data == null) {
            end(out);
            return;
        }
        if (data.has("error") && !data.has("choices")) {
            ObjectNode error = Json.MAPPER.createObjectNode().put("type", "error");
            error.putObject("error").put("type", "api_error").put("message", data.path("error").path("message").asText(""));
            out.add(StreamTranslator.anthropic("error", error, false));
            return;
        }
        start(data, out);
        UsageReader.read(data).ifPresent(reported -> usage = reported);
        JsonNode choice = data.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        String text = delta.path("content").isTextual() ? delta.path("content").asText() : "";
        if (!text.isEmpty()) {
            if (open < 0 || !openIsText) {
                stopOpen(out);
                open = nextIndex++;
                openIsText = true;
                ObjectNode begin = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", open);
                begin.putObject("content_block").put("type", "text").put("text", "");
                out.add(StreamTranslator.anthropic("content_block_start", begin, false));
            }
            ObjectNode piece = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", open);
            piece.putObject("delta").put("type", "text_delta").put("text", text);
            out.add(StreamTranslator.anthropic("content_block_delta", piece, false));
        }
        for (JsonNode call : delta.path("tool_calls")) {
            toolCall(call, out);
        }
        if (choice.path("finish_reason").isTextual()) {
            stopOpen(out);
            stopReason = Answers.stopReason(choice.path("finish_reason").asText());
        }
    }

    private void start(JsonNode chunk, List<Frame> out) {
        if (started) {
            return;
        }
        started = true;
        model = chunk.path("model").asText("");
        ObjectNode start = Json.MAPPER.createObjectNode().put("type", "message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", Answers.messageId(chunk.path("id").asText("")));
        message.put("type", "message").put("role", "assistant").put("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", promptEstimate).put("output_tokens", 0);
        out.add(StreamTranslator.anthropic("message_start", start, false));
    }

    private void toolCall(JsonNode call, List<Frame> out) {
        int index = call.path("index").asInt(0);
        Integer block = toolBlocks.get(index);
        if (block == null || call.hasNonNull("id") && block != open) {
            stopOpen(out);
            block = nextIndex++;
            toolBlocks.put(index, block);
            open = block;
            openIsText = false;
            ObjectNode begin = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", block);
            begin.putObject("content_block").put("type", "tool_use").put("id", Answers.toolUseId(call.path("id").asText("")))
                    .put("name", call.path("function").path("name").asText("")).putObject("input");
            out.add(StreamTranslator.anthropic("content_block_start", begin, false));
        }
        String arguments = call.path("function").path("arguments").asText("");
        if (!arguments.isEmpty() && block == open) {
            ObjectNode piece = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", block);
            piece.putObject("delta").put("type", "input_json_delta").put("partial_json", arguments);
            out.add(StreamTranslator.anthropic("content_block_delta", piece, false));
        }
    }

    private void stopOpen(List<Frame> out) {
        if (open >= 0) {
            out.add(StreamTranslator.anthropic("content_block_stop",
                    Json.MAPPER.createObjectNode().put("type", "content_block_stop").put("index", open), false));
            open = -1;
        }
    }

    @Override
    public void end(List<Frame> out) {
        if (ended) {
            return;
        }
        if (!started) {
            start(Json.MAPPER.createObjectNode(), out);
        }
        stopOpen(out);
        ended = true;
        ObjectNode delta = Json.MAPPER.createObjectNode().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", stopReason == null ? "end_turn" : stopReason).putNull("stop_sequence");
        ObjectNode figures = Answers.anthropicUsage(usage == null ? new Usage(promptEstimate, 0, 0, 0, true) : usage);
        delta.set("usage", figures);
        out.add(StreamTranslator.anthropic("message_delta", delta, false));
        out.add(StreamTranslator.anthropic("message_stop", Json.MAPPER.createObjectNode().put("type", "message_stop"), true));
    }

    @Override
    public boolean ended() {
        return ended;
    }
}
