package io.tokenrouter.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the scripted upstream answers when a test scripted nothing: well-formed OpenAI answers for each
 * endpoint, echoing the model it was asked for and reporting usage, plus a field no schema knows
 * ({@code x_upstream_extra}) to prove unknown fields survive.
 */
public final class DefaultReplies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DefaultReplies() {
    }

    public static Reply forRequest(ScriptedUpstream.Received request) {
        JsonNode body = parse(request.body());
        String model = body.path("model").asText("unknown");
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        // providers of their own on the same upstream use a path prefix: /a/v1/... answers like /v1/...
        String path = request.path().replaceFirst("^/[a-z0-9]+(?=/v1/)", "");
        return switch (request.method() + " " + path) {
            case "GET /v1/models" -> Reply.json(200, models("gpt-4o", "gpt-4o-mini", "text-embedding-3-small",
                    "gpt-3.5-turbo-instruct", "acme/some-model"));
            case "POST /v1/chat/completions" -> stream ? chatStream(model, List.of("Hel", "lo", "!"), includeUsage, 0)
                    : Reply.json(200, chat(model, "Hello!"));
            case "POST /v1/completions" -> stream ? completionStream(model, includeUsage) : Reply.json(200, completion(model));
            case "POST /v1/embeddings" -> Reply.json(200, embeddings(model));
            case "POST /v1/responses" -> stream ? responsesStream(model) : Reply.json(200, response(model));
            default -> Reply.json(404, "{\"error\":{\"message\":\"no such path on the test upstream\",\"type\":"
                    + "\"invalid_request_error\",\"param\":null,\"code\":\"unknown_url\"}}");
        };
    }

    public static String models(String... ids) {
        StringBuilder data = new StringBuilder();
        for (String id : ids) {
            data.append(data.length() == 0 ? "" : ",")
                    .append("{\"id\":\"").append(id).append("\",\"object\":\"model\",\"created\":1700000000,"
                            + "\"owned_by\":\"test\"}");
        }
        return "{\"object\":\"list\",\"data\":[" + data + "]}";
    }

    public static String chat(String model, String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
                + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":1}},"
                + "\"x_upstream_extra\":{\"kept\":true}}";
    }

    public static String chatChunk(String model, String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content
                + "\"},\"logprobs\":null,\"finish_reason\":null}]}";
    }

    public static String chatUsageChunk(String model, int prompt, int completion) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completion + ",\"total_tokens\":" + (prompt + completion) + "}}";
    }

    /** A chat stream of {@code pieces}, the usage chunk when asked for, and {@code [DONE]}. */
    public static Reply.Stream chatStream(String model, List<String> pieces, boolean includeUsage, long delayMillis) {
        List<String> events = new ArrayList<>();
        pieces.forEach(p -> events.add(chatChunk(model, p)));
        if (includeUsage) {
            events.add(chatUsageChunk(model, 9, pieces.size()));
        }
        events.add("[DONE]");
        return Reply.sse(events, delayMillis);
    }

    static String completion(String model) {
        return "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"text\":\"Once upon a time\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9}}";
    }

    static Reply completionStream(String model, boolean includeUsage) {
        List<String> events = new ArrayList<>();
        for (String piece : List.of("Once", " upon", " a time")) {
            events.add("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"" + model
                    + "\",\"choices\":[{\"text\":\"" + piece + "\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}");
        }
        if (includeUsage) {
            events.add("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"" + model
                    + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}");
        }
        events.add("[DONE]");
        return Reply.sse(events, 0);
    }

    static String embeddings(String model) {
        return "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2,0.3]}],"
                + "\"model\":\"" + model + "\",\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}";
    }

    static String response(String model) {
        return "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1700000000,\"status\":\"completed\","
                + "\"model\":\"" + model + "\",\"output\":[{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\","
                + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi there\",\"annotations\":[]}]}],"
                + "\"parallel_tool_calls\":true,\"tool_choice\":\"auto\",\"tools\":[],\"temperature\":1.0,\"top_p\":1.0,"
                + "\"error\":null,\"incomplete_details\":null,\"instructions\":null,\"metadata\":{},"
                + "\"usage\":{\"input_tokens\":11,\"output_tokens\":2,\"total_tokens\":13,"
                + "\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens_details\":{\"reasoning_tokens\":0}}}";
    }

    static Reply responsesStream(String model) {
        String created = response(model).replace("\"status\":\"completed\",\"model\"", "\"status\":\"in_progress\",\"model\"");
        List<String> frames = List.of(
                "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":"
                        + created + "}\n\n",
                "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,"
                        + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\",\"logprobs\":[]}\n\n",
                "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,"
                        + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\" there\",\"logprobs\":[]}\n\n",
                "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":3,\"response\":"
                        + response(model) + "}\n\n");
        return Reply.sse(frames, 0).rawFrames();
    }

    private static JsonNode parse(String body) {
        try {
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
