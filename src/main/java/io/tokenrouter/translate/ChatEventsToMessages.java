package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.ErrorBody;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import io.tokenrouter.upstream.UsageReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A streamed chat completion as Anthropic's stream: {@code message_start} with the first chunk (its input tokens
 * the gateway's count of the prompt: the provider reports its own only at the end, and Anthropic's clients size
 * their context by it), a text block while text arrives, a {@code tool_use} block per tool call, and once the
 * provider is done (its usage read) {@code message_delta} with the stop reason and usage, and {@code message_stop}.
 * Text goes out as it arrives; a tool call's arguments are gathered until the call is complete (the next call,
 * text, or the finish reason), since OpenAI-compatible providers may interleave the pieces of parallel calls,
 * which Anthropic's blocks, written one after another, cannot. A provider's error, or a stream that ends before
 * its finish reason, ends the answer with an {@code error} event instead of {@code message_stop}.
 */
final class ChatEventsToMessages implements StreamTranslator {

    /** A tool call being gathered. */
    private static final class ToolCall {
        String id;
        String name = "";
        final StringBuilder arguments = new StringBuilder();
    }

    private final long promptEstimate;
    private boolean started;
    private boolean ended;
    /** The open text block's index; -1 when none is open. */
    private int openText = -1;
    private int nextIndex;
    /** OpenAI's tool call index to the call being gathered, in the order they began. */
    private final Map<Integer, ToolCall> calls = new LinkedHashMap<>();
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
        if (data == null) { // [DONE]
            end(out);
            return;
        }
        start(data, out);
        JsonNode error = data.get("error");
        JsonNode choice = data.path("choices").path(0);
        if (error != null && !error.isNull() || "error".equals(choice.path("finish_reason").asText())) {
            String message = error != null && error.path("message").isTextual() ? error.path("message").asText()
                    : "The provider's stream failed.";
            fail(message, out);
            return;
        }
        UsageReader.read(data).ifPresent(reported -> usage = reported);
        JsonNode delta = choice.path("delta");
        String text = delta.path("content").isTextual() ? delta.path("content").asText() : "";
        if (!text.isEmpty()) {
            flushCalls(out);
            if (openText < 0) {
                openText = nextIndex++;
                ObjectNode begin = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", openText);
                begin.putObject("content_block").put("type", "text").put("text", "");
                out.add(StreamTranslator.anthropic("content_block_start", begin, false));
            }
            ObjectNode piece = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", openText);
            piece.putObject("delta").put("type", "text_delta").put("text", text);
            out.add(StreamTranslator.anthropic("content_block_delta", piece, false));
        }
        for (JsonNode call : delta.path("tool_calls")) {
            toolCall(call, out);
        }
        if (choice.path("finish_reason").isTextual()) {
            stopText(out);
            flushCalls(out);
            stopReason = Answers.stopReason(choice.path("finish_reason").asText());
        }
    }

    private void start(JsonNode chunk, List<Frame> out) {
        if (started) {
            return;
        }
        started = true;
        ObjectNode start = Json.MAPPER.createObjectNode().put("type", "message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", Answers.messageId(chunk.path("id").asText("")));
        message.put("type", "message").put("role", "assistant").put("model", chunk.path("model").asText(""));
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", promptEstimate).put("output_tokens", 0);
        out.add(StreamTranslator.anthropic("message_start", start, false));
    }

    /** Gathers a piece of a tool call; a new id at an index already used is another call (some providers reuse 0). */
    private void toolCall(JsonNode piece, List<Frame> out) {
        stopText(out);
        int index = piece.path("index").asInt(0);
        String id = piece.path("id").isTextual() && !piece.path("id").asText().isEmpty() ? piece.path("id").asText() : null;
        ToolCall call = calls.get(index);
        if (call != null && id != null && call.id != null && !id.equals(call.id)) {
            flushCalls(out);
            call = null;
        }
        if (call == null) {
            call = new ToolCall();
            calls.put(index, call);
        }
        if (id != null) {
            call.id = id;
        }
        JsonNode function = piece.path("function");
        if (function.path("name").isTextual()) {
            call.name += function.path("name").asText();
        }
        call.arguments.append(function.path("arguments").asText(""));
    }

    /** Writes the gathered tool calls as whole blocks, in the order they began. */
    private void flushCalls(List<Frame> out) {
        for (ToolCall call : calls.values()) {
            int index = nextIndex++;
            ObjectNode begin = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", index);
            begin.putObject("content_block").put("type", "tool_use").put("id", Answers.toolUseId(call.id == null ? "" : call.id))
                    .put("name", call.name).putObject("input");
            out.add(StreamTranslator.anthropic("content_block_start", begin, false));
            ObjectNode piece = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", index);
            piece.putObject("delta").put("type", "input_json_delta")
                    .put("partial_json", call.arguments.isEmpty() ? "{}" : call.arguments.toString());
            out.add(StreamTranslator.anthropic("content_block_delta", piece, false));
            out.add(StreamTranslator.anthropic("content_block_stop",
                    Json.MAPPER.createObjectNode().put("type", "content_block_stop").put("index", index), false));
        }
        calls.clear();
    }

    private void stopText(List<Frame> out) {
        if (openText >= 0) {
            out.add(StreamTranslator.anthropic("content_block_stop",
                    Json.MAPPER.createObjectNode().put("type", "content_block_stop").put("index", openText), false));
            openText = -1;
        }
    }

    private void fail(String message, List<Frame> out) {
        ended = true;
        out.add(StreamTranslator.anthropic("error", ErrorBody.anthropic(502, message), false));
    }

    /** The answer's end: after the finish reason, {@code message_delta} and {@code message_stop}; before it, an error. */
    @Override
    public void end(List<Frame> out) {
        if (ended) {
            return;
        }
        if (!started) {
            start(Json.MAPPER.createObjectNode(), out);
        }
        stopText(out);
        flushCalls(out);
        if (stopReason == null && usage == null) {
            fail("The provider's stream ended before its answer did.", out);
            return;
        }
        ended = true;
        ObjectNode delta = Json.MAPPER.createObjectNode().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", stopReason == null ? "end_turn" : stopReason).putNull("stop_sequence");
        delta.set("usage", Answers.anthropicUsage(usage == null ? new Usage(promptEstimate, 0, 0, 0, true) : usage));
        out.add(StreamTranslator.anthropic("message_delta", delta, false));
        out.add(StreamTranslator.anthropic("message_stop", Json.MAPPER.createObjectNode().put("type", "message_stop"), true));
    }
}
