package io.tokenrouter.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to the deployed gateway, with the bootstrap admin key of the test configuration. */
public final class GatewayClient {

    public static final String ADMIN_KEY = "tr-it-admin-key-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public GatewayClient(URL deployment) {
        this.base = URI.create(deployment.toString().endsWith("/") ? deployment.toString() : deployment + "/");
    }

    public URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN_KEY);
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return http.send(request, handler);
    }

    /**
     * The request log row the gateway stored for {@code requestId} (read through {@code /api/logs}), waiting
     * up to five seconds for the writer to store it; asserts there is exactly one.
     */
    public JsonNode usage(String requestId) {
        JsonNode page = Waits.await("the request log row of " + requestId, java.time.Duration.ofSeconds(5)).until(() -> {
            HttpResponse<String> response = get("api/logs?q=" + requestId);
            JsonNode found = json(response.body());
            if (found.path("total").asLong() > 1) {
                throw new AssertionError("more than one log row for " + requestId + ": " + response.body());
            }
            return found;
        }, found -> found.path("total").asLong() == 1);
        return page.path("data").get(0);
    }

    public static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    /** Asserts the OpenAI error envelope and returns its {@code error} object. */
    public static JsonNode error(HttpResponse<String> response) throws IOException {
        JsonNode error = json(response.body()).path("error");
        if (!error.isObject() || !error.has("message") || !error.has("type") || !error.has("param")
                || !error.has("code")) {
            throw new AssertionError("not an OpenAI error envelope: " + response.body());
        }
        return error;
    }
}
