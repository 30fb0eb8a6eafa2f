package io.tokenrouter.translate;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns one streamed answer's events into the client's API's events as they arrive. Stateful: one per answer.
 */
public interface StreamTranslator {

    /** One event for the client: a whole event-stream frame, and whether it is the one that ends the answer. */
    record Frame(byte[] raw, boolean ends) {
    }

    /**
     * The client's frames for one upstream event.
     *
     * @param type the event's {@code event:} name, or null
     * @param data its data as JSON, or null for OpenAI's closing {@code [DONE]}
     */
    void event(String type, JsonNode data, List<Frame> out);

    /** The upstream stream ended: the frames that close the client's answer, unless it was closed already. */
    void end(List<Frame> out);

    /** An Anthropic frame: the event's type, and its data. */
    static Frame anthropic(String type, Object data, boolean ends) {
        return new Frame(("event: " + type + "\ndata: " + Json.text(data) + "\n\n").getBytes(StandardCharsets.UTF_8), ends);
    }

    /** An OpenAI frame. */
    static Frame openAi(Object data) {
        return new Frame(("data: " + Json.text(data) + "\n\n").getBytes(StandardCharsets.UTF_8), false);
    }

    Frame DONE = new Frame("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8), true);
}
