package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/** Every error path of /v1: client mistakes and upstream faults, each with its status and the OpenAI envelope. */
class ProxyErrorsIT extends DeployedGateway {

    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";

    @ArquillianResource
    URL deployment;

    private GatewayClient gateway() {
        return new GatewayClient(deployment);
    }

    private static String chat(String model, boolean stream) {
        return String.format(CHAT, model, stream ? ",\"stream\":true" : "");
    }

    @Test
    void missingKeyIs401() throws Exception {
        HttpResponse<String> response = gateway().send(HttpRequest.newBuilder(gateway().uri("v1/models")).GET().build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("missing_api_key");
    }

    @Test
    void unknownKeyIs401() throws Exception {
        HttpResponse<String> response = gateway().send(HttpRequest.newBuilder(gateway().uri("v1/chat/completions"))
                .header("Authorization", "Bearer tr-not-a-real-key").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("mock/gpt-4o", false))).build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(upstream().received()).isEmpty();
    }

    @Test
    void malformedJsonIs400() throws Exception {
        HttpResponse<String> response = gateway().post("v1/chat/completions", "{\"model\": \"mock/gpt-4o\",");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("invalid_json");
    }

    @Test
    void wrongFieldTypesAre400NamingTheField() throws Exception {
        HttpResponse<String> array = gateway().post("v1/chat/completions", "[1,2]");
        HttpResponse<String> stream = gateway().post("v1/chat/completions", "{\"model\":\"mock/x\",\"stream\":\"yes\"}");
        HttpResponse<String> model = gateway().post("v1/chat/completions", "{\"model\":42}");

        assertThat(array.statusCode()).isEqualTo(400);
        assertThat(stream.statusCode()).isEqualTo(400);
        assertThat(GatewayClient.error(stream).path("param").asText()).isEqualTo("stream");
        assertThat(model.statusCode()).isEqualTo(400);
        assertThat(GatewayClient.error(model).path("param").asText()).isEqualTo("model");
    }

    @Test
    void unknownRouteIs404() throws Exception {
        HttpResponse<String> response = gateway().get("v1/no/such/thing");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("unknown_url");
    }

    @Test
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> response = gateway().send(gateway().request("v1/chat/completions").DELETE().build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        HttpResponse<String> response = gateway().send(gateway().request("v1/chat/completions")
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("hello")).build());

        assertThat(response.statusCode()).isEqualTo(415);
        GatewayClient.error(response);
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String big = "x".repeat(70_000);
        HttpResponse<String> response = gateway().post("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("request_too_large");
        assertThat(upstream().received()).isEmpty();
    }

    @Test
    void unknownModelAndDisabledProviderAre404() throws Exception {
        HttpResponse<String> disabled = gateway().post("v1/chat/completions", chat("off/gpt-4o", false));
        HttpResponse<String> unknown = gateway().get("v1/models/nobody/nothing");

        assertThat(disabled.statusCode()).isEqualTo(404);
        assertThat(GatewayClient.error(disabled).path("code").asText()).isEqualTo("model_not_found");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(GatewayClient.error(unknown).path("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void connectionRefusedIs502() throws Exception {
        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("down/gpt-4o", false));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(GatewayClient.error(response).path("message").asText()).contains("down");
    }

    @Test
    void noResponseHeadersWithinTheTimeoutIs504() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.silence(4000));
        long start = System.nanoTime();

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("impatient/gpt-4o", false));

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("upstream_timeout");
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 3000L);
    }

    @Test
    void upstreamServerErrorKeepsItsStatusAndBody() throws Exception {
        String body = "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"param\":null,\"code\":null}}";
        upstream().on("POST", "/v1/chat/completions", Reply.json(500, body));

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", false));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void upstreamRateLimitKeepsItsStatusBodyAndRetryAfter() throws Exception {
        String body = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
        upstream().on("POST", "/v1/chat/completions", Reply.json(429, body, "Retry-After", "7"));

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", true));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).isEqualTo(body);
        assertThat(response.headers().firstValue("retry-after")).contains("7");
    }

    @Test
    void upstreamErrorThatIsNotJsonIsWrappedInTheEnvelope() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.raw(503, "text/html", "<html>Service Unavailable</html>"));

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", false));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(GatewayClient.error(response).path("message").asText()).contains("Service Unavailable");
    }

    @Test
    void malformedUpstreamJsonIs502() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.json(200, "{\"id\":\"x\",\"choices\":[{"));

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", false));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("upstream_invalid_response");
    }

    @Test
    void malformedUpstreamSseIs502() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.sse(List.of("this is not json", "[DONE]"), 0));

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", true));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("upstream_invalid_response");
    }

    @Test
    void connectionResetBeforeAnswerIs502AndTheRequestIsNotSentAgain() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.reset());

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", false));

        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode error = GatewayClient.error(response);
        assertThat(error.path("code").asText()).isEqualTo("upstream_unavailable");
        assertThat(error.path("message").asText()).doesNotContain("HttpConnectionOverHTTP");
        assertThat(upstream().received()).as("the provider may be answering it: never sent twice").hasSize(1);
    }

    /**
     * Issue 24, item 8: a provider that resets a connection (kept alive from an earlier request or not)
     * after it received a request may still generate and bill the answer, so the gateway does not send it
     * again: the client gets a 502 and decides itself (the OpenAI SDKs retry a 502).
     */
    @Test
    void aConnectionTheProviderDropsAfterTheRequestIsNotSentAgain() throws Exception {
        assertThat(gateway().post("v1/chat/completions", chat("mock/gpt-4o", false)).statusCode()).isEqualTo(200);
        upstream().reset();
        upstream().on("POST", "/v1/chat/completions", Reply.reset());

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", false));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
        assertThat(upstream().received()).hasSize(1);
        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("status").asInt()).isEqualTo(502);
        upstream().reset();
        assertThat(gateway().post("v1/chat/completions", chat("mock/gpt-4o", false)).statusCode())
                .as("the next request is answered on a new connection").isEqualTo(200);
    }

    @Test
    void streamCutOffMidwayEndsCleanlyAndRecordsWhatWasSeen() throws Exception {
        List<String> events = List.of(DefaultReplies.chatChunk("gpt-4o", "Once upon"),
                DefaultReplies.chatChunk("gpt-4o", " a time there was"));
        upstream().on("POST", "/v1/chat/completions", Reply.sseCutOff(events, 50));

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("mock/gpt-4o", true));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("a time there was").contains("\"error\"").doesNotContain("[DONE]");
        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("outcome").asText()).isEqualTo("upstream_error");
        assertThat(usage.path("estimated").asBoolean()).isTrue();
        assertThat(usage.path("completion_tokens").asLong()).isGreaterThan(3);
    }

    @Test
    void upstreamSilentMidStreamEndsTheStreamAfterTheIdleTimeout() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.sse(List.of(
                DefaultReplies.chatChunk("gpt-4o", "first"), DefaultReplies.chatChunk("gpt-4o", "late")), 2500));

        HttpResponse<String> response = gateway().post("v1/chat/completions", chat("impatient/gpt-4o", true));

        assertThat(response.body()).contains("first").contains("upstream_timeout").doesNotContain("late");
        JsonNode usage = gateway().usage(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(usage.path("outcome").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void clientDisconnectCancelsTheUpstreamCallPromptly() throws Exception {
        List<String> pieces = IntStream.range(0, 100).mapToObj(i -> "w" + i).toList();
        Reply.Stream script = DefaultReplies.chatStream("gpt-4o", pieces, true, 50);
        upstream().on("POST", "/v1/chat/completions", script);
        byte[] body = chat("mock/gpt-4o", true).getBytes(StandardCharsets.UTF_8);
        String requestId;
        long clientClosedAt;

        try (Socket socket = new Socket(deployment.getHost(), deployment.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + deployment.getPath() + "v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + GatewayClient.ADMIN_KEY + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            String head = readUntil(socket.getInputStream(), "data:");
            requestId = head.replaceAll("(?s).*x-request-id: (\\S+).*", "$1");
            clientClosedAt = System.nanoTime();
        }

        long upstreamClosedAt = script.awaitPeerClosedNanos(3000);
        assertThat(upstreamClosedAt).as("the gateway closed the upstream connection").isPositive();
        assertThat((upstreamClosedAt - clientClosedAt) / 1_000_000).isLessThan(1000);
        assertThat(script.sentAtNanos().size()).isLessThan(100);
        JsonNode usage = gateway().usage(requestId);
        assertThat(usage.path("outcome").asText()).isEqualTo("client_closed");
        assertThat(usage.path("status").asInt()).isEqualTo(499);
        assertThat(usage.path("completion_tokens").asLong()).isPositive();
    }

    private static String readUntil(InputStream in, String marker) throws java.io.IOException {
        StringBuilder seen = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            seen.append((char) b);
            if (seen.indexOf(marker) >= 0) {
                return seen.toString();
            }
        }
        throw new AssertionError("stream ended before " + marker + ": " + seen);
    }
}
