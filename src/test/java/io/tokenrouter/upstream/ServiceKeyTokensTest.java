package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A service key is exchanged for a token at its token server, once for all requests of the token's life. */
class ServiceKeyTokensTest {

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile int status = 200;
    private volatile String answer;
    private volatile CountDownLatch release = new CountDownLatch(0);
    private final AtomicLong now = new AtomicLong(1_000);
    private OutboundHttp http;
    private ServiceKeyTokens tokens;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/auth/oauth/token", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = (answer != null ? answer : "{\"access_token\":\"token-" + issued.incrementAndGet()
                    + "\",\"expires_in\":3600}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        http = new OutboundHttp();
        tokens = new ServiceKeyTokens(http, now::get);
    }

    @AfterEach
    void stop() {
        tokens.close();
        server.stop(0);
    }

    private String key(String secret) {
        return "{\"clientid\":\"sb-client!b1|aicore!b540\",\"clientsecret\":\"" + secret + "\",\"url\":\"http://127.0.0.1:"
                + server.getAddress().getPort() + "/auth/\"}";
    }

    @Test
    void requestsThatFindNoTokenWaitForOneExchange() throws Exception {
        release = new CountDownLatch(1);
        List<CompletableFuture<Map<String, String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(tokens.bearer(key("s1")).thenApply(ServiceKeyTokens.Bearer::headers));
        }
        release.countDown();
        for (CompletableFuture<Map<String, String>> headers : waiting) {
            assertThat(headers.get(10, TimeUnit.SECONDS)).containsEntry("Authorization", "Bearer token-1")
                    .containsEntry("AI-Resource-Group", "default");
        }
        assertThat(requests).hasSize(1);
        String basic = java.util.Base64.getEncoder().encodeToString("sb-client!b1|aicore!b540:s1".getBytes(StandardCharsets.UTF_8));
        assertThat(requests.get(0)).isEqualTo("Basic " + basic + " grant_type=client_credentials&client_id="
                + "sb-client%21b1%7Caicore%21b540");
        assertThat(tokens.bearer(key("s1")).thenApply(ServiceKeyTokens.Bearer::headers).isDone()).as("held: no wait at all").isTrue();
    }

    @Test
    void aTokenIsExchangedAgainAMinuteBeforeItExpiresOrOnceRefused() throws Exception {
        assertThat(tokens.headersNow(key("s1"))).containsEntry("Authorization", "Bearer token-1");
        now.addAndGet(java.time.Duration.ofSeconds(3600 - 61).toNanos());
        assertThat(tokens.headersNow(key("s1"))).containsEntry("Authorization", "Bearer token-1");
        now.addAndGet(java.time.Duration.ofSeconds(2).toNanos());
        assertThat(tokens.headersNow(key("s1"))).containsEntry("Authorization", "Bearer token-2");

        tokens.refused(key("s1"));
        assertThat(tokens.headersNow(key("s1"))).containsEntry("Authorization", "Bearer token-3");
        release = new CountDownLatch(1);
        tokens.refused(key("s1"));
        CompletableFuture<Map<String, String>> underWay = tokens.bearer(key("s1")).thenApply(ServiceKeyTokens.Bearer::headers);
        tokens.refused(key("s1"));
        CompletableFuture<Map<String, String>> after = tokens.bearer(key("s1")).thenApply(ServiceKeyTokens.Bearer::headers);
        release.countDown();
        assertThat(underWay.get(10, TimeUnit.SECONDS)).containsEntry("Authorization", "Bearer token-4");
        assertThat(after.get(10, TimeUnit.SECONDS)).as("an exchange under way is kept").containsEntry("Authorization",
                "Bearer token-4");
        assertThat(tokens.headersNow(key("other"))).as("a key of its own").containsEntry("Authorization", "Bearer token-5");
    }

    @Test
    void aTokenIsNeverKeptLongerThanTwelveHoursWhateverTheServerSays() throws Exception {
        answer = "{\"access_token\":\"forever\",\"expires_in\":999999999999}";
        tokens.headersNow(key("s1"));
        now.addAndGet(java.time.Duration.ofHours(12).toNanos());
        answer = null;
        assertThat(tokens.headersNow(key("s1"))).containsEntry("Authorization", "Bearer token-1");
    }

    @Test
    void aRefusalSaysWhyWithoutTheSecretAndIsNotKept() throws Exception {
        status = 401;
        answer = "{\"error\":\"unauthorized\",\"error_description\":\"Bad credentials for s3cr3t-of-the-client\"}";
        assertThatThrownBy(() -> tokens.headersNow(key("s3cr3t-of-the-client"))).isInstanceOf(IOException.class)
                .hasMessageContaining("refused the service key: HTTP 401").hasMessageContaining("Bad credentials")
                .hasMessageNotContaining("s3cr3t-of-the-client");
        status = 200;
        answer = null;
        assertThatThrownBy(() -> tokens.headersNow(key("s3cr3t-of-the-client"))).as("the failure answers for a while")
                .hasMessageContaining("HTTP 401");
        assertThat(requests).hasSize(1);
        tokens.refused(key("s3cr3t-of-the-client"));
        assertThat(tokens.headersNow(key("s3cr3t-of-the-client"))).as("tried again").containsEntry("Authorization", "Bearer token-1");

        answer = "{\"token_type\":\"bearer\"}";
        assertThatThrownBy(() -> tokens.headersNow(key("s2"))).hasMessageContaining("without an access_token");
    }

    @Test
    void aCredentialThatIsNotAServiceKeySaysWhatIsMissing() {
        assertThatThrownBy(() -> ServiceKeyTokens.ServiceKey.parse("sk-plain")).hasMessageContaining("must be the service key");
        assertThatThrownBy(() -> ServiceKeyTokens.ServiceKey.parse("{\"clientid\":\"a\",\"url\":\"https://x\"}"))
                .hasMessageContaining("no clientsecret");
        assertThatThrownBy(() -> ServiceKeyTokens.ServiceKey.parse("{\"clientid\":\"a\",\"clientsecret\":\"b\",\"url\":\"file:/etc\"}"))
                .hasMessageContaining("http(s) URL");
        ServiceKeyTokens.ServiceKey key = ServiceKeyTokens.ServiceKey.parse(
                "{\"clientid\":\"a\",\"clientsecret\":\"b\",\"url\":\"https://sub.authentication.eu10.hana.ondemand.com\","
                        + "\"resource_group\":\"team-a\"}");
        assertThat(key.tokenUrl()).hasToString("https://sub.authentication.eu10.hana.ondemand.com/oauth/token");
        assertThat(key.resourceGroup()).isEqualTo("team-a");
        assertThat(key.toString()).doesNotContain("\"b\"");
        assertThat(tokens.bearer("sk-plain")).isCompletedExceptionally();
    }
}
