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
        if (request.path().startsWith("/claude/v1/")) {
            return anthropic(request, body, model, stream);
        }
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

    /** The Anthropic provider's key, as the test configuration gives it. */
    public static final String ANTHROPIC_KEY = "sk-ant-upstream-secret";

    /**
     * As Anthropic's API answers: its models, a message (with a signed thinking block) or its stream, a token count;
     * a 401 in Anthropic's envelope without the provider's key in {@code x-api-key} or without {@code anthropic-version}.
     */
    static Reply anthropic(ScriptedUpstream.Received request, JsonNode body, String model, boolean stream) {
        if (!ANTHROPIC_KEY.equals(request.header("x-api-key")) || request.header("anthropic-version") == null) {
            return Reply.json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
                    + "\"invalid x-api-key\"}}");
        }
        return switch (request.method() + " " + request.path().replaceFirst("\\?.*$", "")) {
            case "GET /claude/v1/models" -> !request.path().endsWith("?limit=1000") ? Reply.json(400, "{\"type\":\"error\","
                    + "\"error\":{\"type\":\"invalid_request_error\",\"message\":\"the test expects every model in one page\"}}")
                    : Reply.json(200, "{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5\","
                    + "\"display_name\":\"Claude Sonnet 4.5\",\"created_at\":\"2025-09-29T00:00:00Z\"},{\"type\":\"model\","
                    + "\"id\":\"claude-haiku-4-5\",\"display_name\":\"Claude Haiku 4.5\",\"created_at\":\"2025-10-01T00:00:00Z\"}],"
                    + "\"has_more\":false,\"first_id\":\"claude-sonnet-4-5\",\"last_id\":\"claude-haiku-4-5\"}");
            case "POST /claude/v1/messages" -> stream ? Reply.sse(anthropicEvents(model), 0).rawFrames()
                    : Reply.json(200, anthropicMessage(model));
            case "POST /claude/v1/messages/count_tokens" -> Reply.json(200, "{\"input_tokens\":42}");
            default -> Reply.json(404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":"
                    + "\"no such path\"}}");
        };
    }

    /** The signature of the thinking block in Anthropic answers: it must reach the client unchanged. */
    public static final String SIGNATURE = "EqQBCkYIBxgCKkDx/+9z==sig";

    /** A message with a signed thinking block and text, and usage with cache figures. */
    public static String anthropicMessage(String model) {
        return "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\","
                + "\"content\":[{\"type\":\"thinking\",\"thinking\":\"The user says hello.\",\"signature\":\"" + SIGNATURE + "\"},"
                + "{\"type\":\"text\",\"text\":\"Hello from Claude!\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":30,"
                + "\"output_tokens\":5}}";
    }

    /** Anthropic's stream of the same message, frame by frame (event names and data). */
    public static List<String> anthropicEvents(String model) {
        List<String> frames = new ArrayList<>();
        frames.add(frame("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":30,\"output_tokens\":1}}}"));
        frames.add(frame("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}"));
        frames.add(frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"thinking_delta\",\"thinking\":\"The user says hello.\"}}"));
        frames.add(frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"signature_delta\",\"signature\":\"" + SIGNATURE + "\"}}"));
        frames.add(frame("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
        frames.add(frame("ping", "{\"type\": \"ping\"}"));
        frames.add(frame("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                + "{\"type\":\"text\",\"text\":\"\"}}"));
        for (String piece : List.of("Hello", " from", " Claude!")) {
            frames.add(frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"" + piece + "\"}}"));
        }
        frames.add(frame("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
        frames.add(frame("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}"));
        frames.add(frame("message_stop", "{\"type\":\"message_stop\"}"));
        return frames;
    }

    private static String frame(String event, String data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
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
