package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import io.tokenrouter.testing.ScriptedUpstream.Received;
import io.tokenrouter.testing.Waits;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/** The /v1 proxy deployed in Tomcat: pass-through, routing, streaming and usage, against the scripted upstream. */
class ProxyIT extends DeployedGateway {

    @ArquillianResource
    URL deployment;

    private GatewayClient gateway() {
        return new GatewayClient(deployment);
    }

    @Test
    void chatCompletionPassesThroughRewritingOnlyModelAndCredential() throws Exception {
        HttpResponse<String> response = gateway().post("v1/chat/completions", """
                {"model":"mock/gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,
                 "x_client_extra":{"nested":[1,2,3]},"metadata":{"k":"v"}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = GatewayClient.json(response.body());
        assertThat(answer.path("x_upstream_extra").path("kept").asBoolean()).isTrue();
        assertThat(answer.path("choices").get(0).path("message").path("content").asText()).isEqualTo("Hello!");
        assertThat(answer.path("model").asText()).as("the model as the client asked for it").isEqualTo("mock/gpt-4o");
        assertThat(response.headers().firstValue("x-tokenrouter-upstream-model")).hasValue("gpt-4o");

        Received sent = upstream().last("POST", "/v1/chat/completions");
        JsonNode forwarded = GatewayClient.json(sent.body());
        assertThat(forwarded.path("model").asText()).isEqualTo("gpt-4o");
        assertThat(forwarded.path("x_client_extra").toString()).isEqualTo("{\"nested\":[1,2,3]}");
        assertThat(forwarded.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(forwarded.path("metadata").path("k").asText()).isEqualTo("v");
        assertThat(forwarded.has("stream_options")).isFalse();
        assertThat(sent.header("Authorization")).isEqualTo("Bearer sk-upstream-secret");
        assertThat(sent.body()).doesNotContain(GatewayClient.ADMIN_KEY);
        assertThat(sent.headers().values()).noneMatch(v -> v.contains(GatewayClient.ADMIN_KEY));

        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("provider").asText()).isEqualTo("mock");
        assertThat(usage.path("upstream_model").asText()).isEqualTo("gpt-4o");
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(12);
        assertThat(usage.path("completion_tokens").asLong()).isEqualTo(3);
        assertThat(usage.path("cached_tokens").asLong()).isEqualTo(4);
        assertThat(usage.path("reasoning_tokens").asLong()).isEqualTo(1);
        assertThat(usage.path("estimated").asBoolean()).isFalse();
        assertThat(usage.path("stream").asBoolean()).isFalse();
    }

    @Test
    void unprefixedModelGoesToTheDefaultProviderUnchanged() throws Exception {
        gateway().post("v1/chat/completions", "{\"model\":\"acme/some-model\",\"messages\":[]}");

        assertThat(GatewayClient.json(upstream().last("POST", "/v1/chat/completions").body()).path("model").asText())
                .isEqualTo("acme/some-model");
    }

    @Test
    void missingModelGetsTheConfiguredDefaultModel() throws Exception {
        HttpResponse<String> response = gateway().post("v1/chat/completions", "{\"messages\":[]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(GatewayClient.json(upstream().last("POST", "/v1/chat/completions").body()).path("model").asText())
                .isEqualTo("gpt-4o-mini");
    }

    @Test
    void aliasResolvesToTheActiveProfilesTarget() throws Exception {
        HttpResponse<String> response = gateway().post("v1/chat/completions", "{\"model\":\"smart\",\"messages\":[]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(GatewayClient.json(upstream().last("POST", "/v1/chat/completions").body()).path("model").asText())
                .isEqualTo("gpt-4o");
        assertThat(gateway().usage(response.headers().firstValue("x-request-id").orElseThrow())
                .path("model").asText()).isEqualTo("smart");
        assertThat(GatewayClient.json(response.body()).path("model").asText()).isEqualTo("smart");
    }

    @Test
    void streamIsRelayedEventByEventAsItArrives() throws Exception {
        List<String> pieces = IntStream.range(0, 20).mapToObj(i -> "t" + i + " ").toList();
        Reply.Stream script = DefaultReplies.chatStream("gpt-4o", pieces, true, 50);
        upstream().on("POST", "/v1/chat/completions", script);

        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        HttpRequest request = gateway().request("v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}"))
                .build();
        HttpResponse<java.util.stream.Stream<String>> response =
                gateway().send(request, HttpResponse.BodyHandlers.ofLines());
        response.body().filter(l -> l.startsWith("data:")).forEach(l -> {
            arrivals.add(System.nanoTime());
            lines.add(l);
        });

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        long lastSent = script.sentAtNanos().get(script.sentAtNanos().size() - 1);
        assertThat(lastSent - arrivals.get(0)).as("first event arrives long before the last is sent")
                .isGreaterThan(700_000_000L);
        assertThat(arrivals.get(19) - arrivals.get(0)).as("events arrive spread out, not in one batch")
                .isGreaterThan(700_000_000L);
        assertThat(lines).hasSize(21);
        assertThat(lines.get(20)).isEqualTo("data: [DONE]");
        assertThat(lines).noneMatch(l -> l.contains("\"usage\""));
        assertThat(lines.subList(0, 20)).allMatch(l -> l.contains("\"model\":\"mock/gpt-4o\""));
        assertThat(response.headers().firstValue("x-tokenrouter-upstream-model")).hasValue("gpt-4o");

        JsonNode forwarded = GatewayClient.json(upstream().last("POST", "/v1/chat/completions").body());
        assertThat(forwarded.path("stream_options").path("include_usage").asBoolean()).isTrue();

        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("stream").asBoolean()).isTrue();
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(9);
        assertThat(usage.path("completion_tokens").asLong()).isEqualTo(20);
        assertThat(usage.path("estimated").asBoolean()).isFalse();
        assertThat(usage.path("ttft_ms").asLong()).isLessThan(usage.path("latency_ms").asLong() - 500);
    }

    @Test
    void eventsThatArriveTogetherLeaveInOneChunk() throws Exception {
        List<String> events = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> events.add("data: " + DefaultReplies.chatChunk("gpt-4o", "t" + i) + "\n\n"));
        events.add("data: " + DefaultReplies.chatUsageChunk("gpt-4o", 9, 10) + "\n\n");
        events.add("data: [DONE]\n\n");
        // the whole stream in one write, as a provider's buffered burst reaches the gateway
        upstream().on("POST", "/v1/chat/completions", Reply.raw(200, "text/event-stream", String.join("", events)));

        List<String> chunks = new ArrayList<>();
        byte[] body = "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(deployment.getHost(), deployment.getPort())) {
            socket.getOutputStream().write(("POST " + deployment.getPath() + "v1/chat/completions HTTP/1.1\r\n"
                    + "Host: localhost\r\nConnection: close\r\nAuthorization: Bearer " + GatewayClient.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            String line;
            while (!(line = asciiLine(in)).isEmpty()) {
                if (line.startsWith("HTTP/1.1")) {
                    assertThat(line).startsWith("HTTP/1.1 200");
                }
            }
            int size;
            while ((size = Integer.parseInt(asciiLine(in), 16)) > 0) {
                byte[] chunk = new byte[size];
                in.readFully(chunk);
                chunks.add(new String(chunk, StandardCharsets.UTF_8));
                asciiLine(in);
            }
        }

        assertThat(chunks).as("the ten content events in one chunk, the end of the answer in another").hasSize(2);
        assertThat(chunks.get(0).split("\n\n")).hasSize(10).allMatch(e -> e.startsWith("data: {"));
        assertThat(chunks.get(1)).startsWith(": " + Exchange.COST_HEADER).endsWith("data: [DONE]\n\n");
    }

    private static String asciiLine(DataInputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new java.io.EOFException("the answer ended inside a line: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Test
    void usageChunkReachesTheClientWhenItAskedForIt() throws Exception {
        HttpResponse<String> response = gateway().post("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");

        assertThat(response.body()).contains("\"choices\":[],\"usage\":{\"prompt_tokens\":9");
        assertThat(GatewayClient.json(upstream().last("POST", "/v1/chat/completions").body())
                .path("stream_options").toString()).isEqualTo("{\"include_usage\":true}");
    }

    @Test
    void streamWithoutReportedUsageIsCountedWithTheTokenizer() throws Exception {
        upstream().on("POST", "/v1/chat/completions",
                DefaultReplies.chatStream("gpt-4o", List.of("The quick brown fox", " jumps over the lazy dog"), false, 0));

        HttpResponse<String> response = gateway().post("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about foxes\"}]}");

        assertThat(response.body()).contains("jumps over").endsWith("data: [DONE]\n\n");
        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("estimated").asBoolean()).isTrue();
        assertThat(usage.path("completion_tokens").asLong()).isBetween(8L, 14L);
        assertThat(usage.path("prompt_tokens").asLong()).isBetween(3L, 12L);
    }

    @Test
    void responsesStreamUsageIsReadFromTheCompletedEvent() throws Exception {
        HttpResponse<String> response = gateway().post("v1/responses",
                "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"input\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("event: response.output_text.delta").contains("event: response.completed");
        assertThat(GatewayClient.json(upstream().last("POST", "/v1/responses").body()).has("stream_options")).isFalse();
        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(11);
        assertThat(usage.path("completion_tokens").asLong()).isEqualTo(2);
    }

    @Test
    void embeddingsUsageIsRead() throws Exception {
        HttpResponse<String> response = gateway().post("v1/embeddings",
                "{\"model\":\"mock/text-embedding-3-small\",\"input\":\"hello\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(6);
        assertThat(usage.path("endpoint").asText()).isEqualTo("embeddings");
    }

    @Test
    void longStreamIsNotCutByTheIdleReadTimeout() throws Exception {
        List<String> pieces = IntStream.range(0, 25).mapToObj(i -> "p" + i).toList();
        upstream().on("POST", "/v1/chat/completions", DefaultReplies.chatStream("gpt-4o", pieces, true, 100));

        HttpResponse<String> response = gateway().post("v1/chat/completions",
                "{\"model\":\"impatient/gpt-4o\",\"stream\":true,\"messages\":[]}");

        assertThat(response.body()).contains("p24").endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
    }

    @Test
    void modelsListsDiscoveredModelsOfEnabledProvidersAndAliases() throws Exception {
        JsonNode list = Waits.await("the discovered models listed", java.time.Duration.ofSeconds(10))
                .until(() -> GatewayClient.json(gateway().get("v1/models").body()),
                        l -> l.toString().contains("mock/gpt-4o-mini") && l.toString().contains("impatient/gpt-4o"));
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertThat(list.path("object").asText()).isEqualTo("list");
        assertThat(ids).contains("mock/gpt-4o", "mock/gpt-4o-mini", "impatient/gpt-4o", "smart")
                .noneMatch(id -> id.startsWith("off/") || id.startsWith("down/"));

        HttpResponse<String> one = gateway().get("v1/models/mock/gpt-4o");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(GatewayClient.json(one.body()).path("owned_by").asText()).isEqualTo("mock");

        upstream().reset();
        for (int i = 0; i < 3; i++) {
            assertThat(gateway().get("v1/models").statusCode()).isEqualTo(200);
        }
        assertThat(upstream().received()).as("listing is served from the cache").isEmpty();
    }

    // ---------------------------------------------------------------- the record before the last byte

    @Test
    void aBufferedAnswerIsInTheLogTheMomentTheClientHasIt() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = gateway().post("v1/chat/completions",
                    "{\"model\":\"mock/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(response.statusCode()).isEqualTo(200);
            // journaled before the answer was sent (DatabaseOutageIT kills the node to prove it); the log shows it
            // once the shipper has stored it, moments later
            JsonNode row = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
            assertThat(row).as("stored").isNotNull();
            assertThat(row.path("outcome").asText()).isEqualTo("ok");
        }
    }

    @Test
    void aStreamsLastEventComesOnlyOnceItsRecordIsStored() throws Exception {
        upstream().on("POST", "/v1/chat/completions", DefaultReplies.chatStream("gpt-4o", List.of("a", "b", "c"), true, 20));
        List<JsonNode> rowAtDone = new ArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> response = gateway().send(streamRequest("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                HttpResponse.BodyHandlers.ofLines());
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        response.body().filter(l -> l.equals("data: [DONE]")).forEach(l -> rowAtDone.add(usageAt(requestId)));

        assertThat(rowAtDone).as("one [DONE]").hasSize(1);
        assertThat(rowAtDone.get(0)).as("the record exists when [DONE] arrives").isNotNull();
        assertThat(rowAtDone.get(0).path("completion_tokens").asLong()).isEqualTo(3);
    }

    @Test
    void aResponsesStreamsCompletedEventComesOnlyOnceItsRecordIsStored() throws Exception {
        List<JsonNode> rowAtEnd = new ArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> response = gateway().send(streamRequest("v1/responses",
                "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"input\":\"hi\"}"), HttpResponse.BodyHandlers.ofLines());
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        response.body().filter(l -> l.equals("event: response.completed")).forEach(l -> rowAtEnd.add(usageAt(requestId)));

        assertThat(rowAtEnd).hasSize(1);
        assertThat(rowAtEnd.get(0)).as("the record exists when response.completed arrives").isNotNull();
        assertThat(rowAtEnd.get(0).path("completion_tokens").asLong()).isEqualTo(2);
    }

    @Test
    void aStreamCutOffAfterItsLastEventIsACompleteAnswerWithoutAnErrorEvent() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.sseCutOff(List.of(DefaultReplies.chatChunk("gpt-4o", "whole"),
                DefaultReplies.chatUsageChunk("gpt-4o", 4, 1), "[DONE]"), 0));
        HttpResponse<String> response = gateway().send(streamRequest("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("whole").endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
        JsonNode row = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.path("outcome").asText()).isEqualTo("ok");
        assertThat(row.path("completion_tokens").asLong()).isEqualTo(1);
    }

    private HttpRequest streamRequest(String path, String body) {
        return gateway().request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * The record as the log shows it once shipped: the answer's last event waits for it to be journaled, not for
     * the database (DatabaseOutageIT kills the node mid-load to prove nothing a client received is lost).
     */
    private JsonNode usageAt(String requestId) {
        return gateway().usage(requestId);
    }
}
