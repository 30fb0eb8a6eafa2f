package io.tokenrouter.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake OpenAI-compatible provider of the scripts (the cluster test, the deployment smoke test, the
 * benchmark's paced streams), on the same {@link ScriptedUpstream} and {@link DefaultReplies} as the ITs:
 *
 * <pre>
 *   bash src/test/fake-provider.sh PORT            (builds the test classes once, then runs this)
 * </pre>
 *
 * Every path may carry a prefix that names a provider, so several providers can point at one server:
 * {@code http://127.0.0.1:PORT/v1} is provider "main", {@code http://127.0.0.1:PORT/spare/v1} is "spare".
 * Chat completions answer "Hello from the provider." after {@value #ANSWER_DELAY_MS} ms with usage; a streamed
 * one sends five content events {@code metadata.interval} seconds apart (default {@value #STREAM_INTERVAL_MS}
 * ms), the usage event and {@code [DONE]}. A model named {@code paced-<events>x<seconds>} (e.g.
 * {@code paced-20x0.01}, listed with gpt-4o-mini and others) streams that many events that far apart. Other
 * endpoints answer as in the ITs.
 * Streams keep the connection alive, as providers do. Besides:
 *
 * <pre>
 *   POST /webhook    an alert the gateway sent (kept)         GET /webhooks   every alert received
 *   GET  /count      {"chat": n, "by_provider": {...}}        GET /requests   every chat completion: X-Request-ID,
 *                                                                              provider, stream, started (epoch s),
 *                                                                              completed (written to the end)
 * </pre>
 */
public final class FakeProvider {

    static final long ANSWER_DELAY_MS = 20;
    static final long STREAM_INTERVAL_MS = 40;
    static final String CONTENT = "Hello from the provider.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PACED = Pattern.compile("paced-(\\d+)x([0-9.]+)");
    private static final Pattern PREFIX = Pattern.compile("^/([a-z0-9]+)(/v1/.*)$");

    private final List<ObjectNode> answered = new CopyOnWriteArrayList<>();
    private final List<JsonNode> webhooks = new CopyOnWriteArrayList<>();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        ScriptedUpstream upstream = new ScriptedUpstream(port).recording(false);
        upstream.answerAll(new FakeProvider()::answer);
        System.out.println("fake provider on 127.0.0.1:" + upstream.port());
        Thread.currentThread().join();
    }

    Reply answer(ScriptedUpstream.Received request) {
        String path = request.path().split("\\?", 2)[0];
        switch (request.method() + " " + path) {
            case "GET /count":
                return Reply.json(200, count());
            case "GET /requests":
                return Reply.json(200, JSON.valueToTree(answered).toString());
            case "GET /webhooks":
                return Reply.json(200, JSON.valueToTree(webhooks).toString());
            case "POST /webhook":
                webhooks.add(parse(request.body()));
                return Reply.json(200, "{\"ok\":true}");
            default:
                break;
        }
        Matcher prefixed = PREFIX.matcher(path);
        String provider = prefixed.matches() ? prefixed.group(1) : "main";
        String below = prefixed.matches() ? prefixed.group(2) : path;
        if ("GET".equals(request.method()) && "/v1/models".equals(below)) {
            return Reply.json(200, DefaultReplies.models("gpt-4o", "gpt-4o-mini", "text-embedding-3-small",
                    "paced-20x0.01", "paced-60x1", "paced-2x0.001"));
        }
        if (!"POST".equals(request.method()) || !"/v1/chat/completions".equals(below)) {
            return DefaultReplies.forRequest(request);
        }
        JsonNode body = parse(request.body());
        boolean stream = body.path("stream").asBoolean(false);
        ObjectNode record = JSON.createObjectNode().put("request_id", request.header("x-request-id"))
                .put("provider", provider).put("stream", stream)
                .put("started", System.currentTimeMillis() / 1000.0).put("completed", false);
        answered.add(record);
        String model = body.path("model").asText("gpt-4o-mini");
        Reply reply;
        if (!stream) {
            reply = Reply.json(200, DefaultReplies.chat(model, CONTENT));
            ScriptedUpstream.sleep(ANSWER_DELAY_MS);
        } else {
            Matcher paced = PACED.matcher(model);
            int events = paced.matches() ? Integer.parseInt(paced.group(1)) : 5;
            long interval = paced.matches() ? Math.round(Double.parseDouble(paced.group(2)) * 1000)
                    : body.path("metadata").has("interval")
                    ? Math.round(Double.parseDouble(body.path("metadata").path("interval").asText()) * 1000)
                    : STREAM_INTERVAL_MS;
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                pieces.add(paced.matches() ? "token " : "part " + i + " ");
            }
            reply = DefaultReplies.chatStream(model, pieces, true, interval).keepAlive();
        }
        return new Reply() {
            @Override
            boolean play(Connection c) throws IOException {
                boolean more = reply.play(c);
                record.put("completed", !(reply instanceof Reply.Stream events) || events.complete());
                return more;
            }
        };
    }

    private String count() {
        Map<String, Integer> byProvider = new TreeMap<>();
        answered.forEach(a -> byProvider.merge(a.path("provider").asText(), 1, Integer::sum));
        ObjectNode count = JSON.createObjectNode().put("chat", answered.size());
        count.set("by_provider", JSON.valueToTree(byProvider));
        return count.toString();
    }

    private static JsonNode parse(String body) {
        try {
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
