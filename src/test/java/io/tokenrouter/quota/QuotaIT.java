package io.tokenrouter.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import io.tokenrouter.testing.Waits;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/** Quotas end to end through the deployed gateway: concurrency, and settlement however a request ends. */
class QuotaIT extends DeployedGateway {

    private static final String CHAT = "{\"model\":\"mock/gpt-4o\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";

    @ArquillianResource
    URL deployment;

    private GatewayClient gateway() {
        return new GatewayClient(deployment);
    }

    /** Creates a key with the given quotas as the admin; returns {id, secret}. */
    private String[] key(String quotas) throws Exception {
        HttpResponse<String> created = gateway().post("api/keys", "{\"name\":\"quota-" + UUID.randomUUID()
                + "\",\"role\":\"inferrer\",\"quotas\":" + quotas + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = GatewayClient.json(created.body());
        return new String[] {body.path("details").path("id").asText(), body.path("key").asText()};
    }

    private JsonNode quota(String keyId, String metric) throws Exception {
        for (JsonNode q : GatewayClient.json(gateway().get("api/keys/" + keyId).body()).path("quotas")) {
            if (q.path("metric").asText().equals(metric)) {
                return q;
            }
        }
        throw new AssertionError("no " + metric + " quota on key " + keyId);
    }

    private HttpResponse<String> chat(String secret, boolean stream) throws Exception {
        return gateway().send(HttpRequest.newBuilder(gateway().uri("v1/chat/completions"))
                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(String.format(CHAT, stream ? ",\"stream\":true" : ""))).build());
    }

    @Test
    void fiftyParallelRequestsAgainstARequestQuotaOfTenForwardExactlyTen() throws Exception {
        String[] key = key("[{\"metric\":\"requests\",\"period\":\"total\",\"limit\":10}]");
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            statuses.add(pool.submit(() -> {
                start.await();
                return chat(key[1], false).statusCode();
            }));
        }
        start.countDown();
        List<Integer> results = new ArrayList<>();
        for (Future<Integer> f : statuses) {
            results.add(f.get());
        }
        pool.shutdown();

        assertThat(results.stream().filter(s -> s == 200)).hasSize(10);
        assertThat(results.stream().filter(s -> s == 429)).hasSize(40);
        assertThat(upstream().received().stream().filter(r -> r.path().equals("/v1/chat/completions"))).hasSize(10);
        JsonNode requests = quota(key[0], "requests");
        assertThat(requests.path("used").asLong()).isEqualTo(10);
        assertThat(requests.path("reserved").asLong()).isZero();
    }

    @Test
    void anUpstreamFailureReleasesTheReservation() throws Exception {
        String[] key = key("[{\"metric\":\"requests\",\"period\":\"day\",\"limit\":100},"
                + "{\"metric\":\"tokens\",\"period\":\"day\",\"limit\":100000}]");
        HttpResponse<String> refused = gateway().send(HttpRequest.newBuilder(gateway().uri("v1/chat/completions"))
                .header("Authorization", "Bearer " + key[1]).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"down/gpt-4o\",\"messages\":[]}")).build());

        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(quota(key[0], "requests").path("used").asLong()).isZero();
        assertThat(quota(key[0], "requests").path("reserved").asLong()).isZero();
        assertThat(quota(key[0], "tokens").path("used").asLong()).isZero();
        assertThat(quota(key[0], "tokens").path("reserved").asLong()).isZero();

        HttpResponse<String> ok = chat(key[1], false);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(quota(key[0], "tokens").path("used").asLong()).isEqualTo(15);
        assertThat(quota(key[0], "tokens").path("reserved").asLong()).isZero();
    }

    @Test
    void aClientThatHangsUpMidStreamIsChargedForWhatWasStreamed() throws Exception {
        String[] key = key("[{\"metric\":\"tokens\",\"period\":\"total\",\"limit\":100000}]");
        List<String> pieces = IntStream.range(0, 100).mapToObj(i -> "word" + i + " ").toList();
        Reply.Stream script = DefaultReplies.chatStream("gpt-4o", pieces, true, 50);
        upstream().on("POST", "/v1/chat/completions", script);
        byte[] body = String.format(CHAT, ",\"stream\":true").getBytes(StandardCharsets.UTF_8);

        try (Socket socket = new Socket(deployment.getHost(), deployment.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + deployment.getPath() + "v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + key[1] + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            readEvents(socket.getInputStream(), 5);
        }
        assertThat(script.awaitPeerClosedNanos(3000)).isPositive();

        JsonNode tokens = Waits.await("the hung-up stream's reservation settled", java.time.Duration.ofSeconds(5))
                .until(() -> quota(key[0], "tokens"), t -> t.path("reserved").asLong() == 0);
        assertThat(tokens.path("used").asLong()).as("prompt plus the words streamed before the hang-up")
                .isBetween(5L, 400L);
    }

    private static void readEvents(InputStream in, int count) throws java.io.IOException {
        StringBuilder seen = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            seen.append((char) b);
            if (seen.toString().split("data:", -1).length > count) {
                return;
            }
        }
        throw new AssertionError("stream ended early: " + seen);
    }
}
