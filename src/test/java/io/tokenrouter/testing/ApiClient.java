package io.tokenrouter.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Calls the deployed gateway's management API and {@code /v1} with a chosen key (the bootstrap admin key
 * unless told otherwise, or none), and creates teams and keys, returning the key's secret.
 */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final GatewayClient gateway;
    private final String key;

    public ApiClient(URL deployment) {
        this(new GatewayClient(deployment), GatewayClient.ADMIN_KEY);
    }

    private ApiClient(GatewayClient gateway, String key) {
        this.gateway = gateway;
        this.key = key;
    }

    /** The same client calling with {@code key} ({@code null}: without any key). */
    public ApiClient as(String key) {
        return new ApiClient(gateway, key);
    }

    public ApiClient as(Key key) {
        return as(key.secret());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    public HttpResponse<String> post(String path, Map<String, ?> body) throws IOException, InterruptedException {
        return send("POST", path, json(body));
    }

    public HttpResponse<String> patch(String path, String body) throws IOException, InterruptedException {
        return send("PATCH", path, body);
    }

    public HttpResponse<String> patch(String path, Map<String, ?> body) throws IOException, InterruptedException {
        return send("PATCH", path, json(body));
    }

    public HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return gateway.send(request.build());
    }

    /** A small non-streamed chat completion for {@code model}. */
    public HttpResponse<String> chat(String model) throws IOException, InterruptedException {
        return post("v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    /** A chat completion asking for at most {@code maxTokens}, which is what a token quota reserves beyond the prompt. */
    public HttpResponse<String> chat(String model, int maxTokens) throws IOException, InterruptedException {
        return post("v1/chat/completions", "{\"model\":\"" + model
                + "\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    /** Creates a key ({@code POST /api/keys}), asserting 201, and returns it with its secret. */
    public Key createKey(Map<String, ?> fields) throws IOException, InterruptedException {
        HttpResponse<String> response = post("api/keys", fields);
        assertThat(response.statusCode()).as("POST /api/keys %s answered %s", fields, response.body()).isEqualTo(201);
        JsonNode answer = parse(response);
        JsonNode details = answer.path("details");
        assertThat(answer.path("key").asText()).as("secret of the new key").isNotBlank();
        return new Key(details.path("id").asLong(), details.path("name").asText(), answer.path("key").asText(), details);
    }

    /** Creates a team ({@code POST /api/teams}), asserting 201. */
    public Team createTeam(Map<String, ?> fields) throws IOException, InterruptedException {
        HttpResponse<String> response = post("api/teams", fields);
        assertThat(response.statusCode()).as("POST /api/teams %s answered %s", fields, response.body()).isEqualTo(201);
        JsonNode team = parse(response);
        return new Team(team.path("id").asLong(), team.path("name").asText(), team);
    }

    /** {@code GET path}, asserting 200, as JSON. */
    public JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as("GET %s answered %s", path, response.body()).isEqualTo(200);
        return parse(response);
    }

    /** Repeats {@code GET path} (for at most {@code timeout}) until its JSON satisfies {@code done}. */
    public JsonNode awaitJson(String path, Predicate<JsonNode> done, Duration timeout) {
        return Waits.await("GET " + path, timeout).until(() -> getJson(path), done::test);
    }

    public static JsonNode parse(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A name no other test (or earlier run against the same database) has used. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An ordered JSON object from name/value pairs; values may be null. */
    public static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    /** A key as created: its id, name, the secret (shown once) and the details the API returned. */
    public record Key(long id, String name, String secret, JsonNode details) {
    }

    /** A team as created. */
    public record Team(long id, String name, JsonNode details) {
    }
}
