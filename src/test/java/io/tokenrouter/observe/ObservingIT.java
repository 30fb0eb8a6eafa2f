package io.tokenrouter.observe;

import static io.tokenrouter.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/** The request log, analytics, metrics, conversations, events and provider quotas of the deployed gateway. */
class ObservingIT extends DeployedGateway {

    @ArquillianResource
    URL deployment;

    private GatewayClient gateway() {
        return new GatewayClient(deployment);
    }

    private static String requestId(HttpResponse<?> response) {
        return response.headers().firstValue("x-request-id").orElseThrow();
    }

    @Test
    void everyRequestLeavesExactlyOneLogRowWithItsFigures() throws Exception {
        HttpResponse<String> plain = gateway().post("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> streamed = gateway().post("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        JsonNode row = gateway().usage(requestId(plain));
        assertThat(row.path("prompt_tokens").asLong()).isEqualTo(12);
        assertThat(row.path("completion_tokens").asLong()).isEqualTo(3);
        assertThat(row.path("cached_tokens").asLong()).isEqualTo(4);
        assertThat(row.path("cost_micros").asLong()).as("8 × 2.5 + 4 × 1.25 + 3 × 10 dollars per million").isEqualTo(55);
        assertThat(row.path("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(row.path("client_type").asText()).isEqualTo("java");
        assertThat(row.path("key_name").asText()).isEqualTo("bootstrap-admin");
        assertThat(row.path("status").asInt()).isEqualTo(200);
        assertThat(row.path("stream").asBoolean()).isFalse();

        JsonNode streamRow = gateway().usage(requestId(streamed));
        assertThat(streamRow.path("stream").asBoolean()).isTrue();
        assertThat(streamRow.path("prompt_tokens").asLong()).isEqualTo(9);
        assertThat(streamRow.path("completion_tokens").asLong()).isEqualTo(3);
        assertThat(streamRow.path("ttft_ms").isNumber()).isTrue();
    }

    @Test
    void aForwardedForHeaderFromAnUntrustedPeerIsIgnored() throws Exception {
        HttpResponse<String> response = gateway().send(gateway().request("v1/chat/completions")
                .header("Content-Type", "application/json").header("X-Forwarded-For", "203.0.113.66")
                .header("Forwarded", "for=203.0.113.67")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock/gpt-4o\",\"messages\":[]}")).build());

        assertThat(gateway().usage(requestId(response)).path("client_ip").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void analyticsGroupRequestsByModel() throws Exception {
        // a fresh alias, so the group is this test's alone (an unknown model name would be a 404)
        String model = "obs-" + UUID.randomUUID();
        assertThat(gateway().send(gateway().request("api/aliases/" + model).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"targets\":[{\"profile\":\"primary\","
                        + "\"provider\":\"mock\",\"model\":\"gpt-4o\"}]}")).build()).statusCode()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(gateway().post("v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[]}").statusCode())
                    .isEqualTo(200);
        }
        upstream().on("POST", "/v1/chat/completions", Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
        gateway().post("v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[]}");

        JsonNode group = await("analytics group for " + model, Duration.ofSeconds(10))
                .until(() -> {
                    for (JsonNode g : GatewayClient.json(gateway().get("api/usage?group_by=model").body()).path("groups")) {
                        if (g.path("value").asText().equals(model) && g.path("totals").path("requests").asLong() == 4) {
                            return g;
                        }
                    }
                    return null;
                }, Objects::nonNull);
        assertThat(group.path("totals").path("errors").asLong()).isEqualTo(1);
        assertThat(group.path("totals").path("error_rate").asDouble()).isEqualTo(0.25);
        assertThat(group.path("totals").path("prompt_tokens").asLong()).isEqualTo(36);
        assertThat(group.path("totals").path("completion_tokens").asLong()).isEqualTo(9);
        assertThat(group.path("series").size()).isBetween(1, 2);
    }

    @Test
    void metricsNeedAnAdminKeyAndCountRequests() throws Exception {
        gateway().post("v1/chat/completions", "{\"model\":\"mock/gpt-4o\",\"messages\":[]}");

        HttpResponse<String> anonymous = gateway().send(HttpRequest.newBuilder(gateway().uri("metrics")).GET().build());
        HttpResponse<String> admin = gateway().get("metrics");

        assertThat(anonymous.statusCode()).isEqualTo(401);
        GatewayClient.error(anonymous);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains("tokenrouter_requests_total{").contains("provider=\"mock\"")
                .contains("tokenrouter_usage_queue_depth").contains("tokenrouter_request_duration_seconds_bucket")
                .doesNotContain(GatewayClient.ADMIN_KEY);
    }

    @Test
    void conversationsAreCapturedThreadedAndRedactedWhileSwitchedOn() throws Exception {
        String marker = "zebra" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(gateway().send(gateway().request("api/settings").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"conversations_enabled\":true}")).build())
                .statusCode()).isEqualTo(200);
        try {
            String first = "[{\"role\":\"user\",\"content\":\"" + marker + " my key is sk-proj-abcdefghijklmnopqrstuvwx\"}]";
            gateway().post("v1/chat/completions", "{\"model\":\"mock/gpt-4o\",\"messages\":" + first + "}");
            String second = "[{\"role\":\"user\",\"content\":\"" + marker + " my key is sk-proj-abcdefghijklmnopqrstuvwx\"},"
                    + "{\"role\":\"assistant\",\"content\":\"Hello!\"},{\"role\":\"user\",\"content\":\"go on\"}]";
            gateway().post("v1/chat/completions", "{\"model\":\"mock/gpt-4o\",\"messages\":" + second + "}");
            gateway().send(gateway().request("v1/chat/completions").header("Content-Type", "application/json")
                    .header("X-Conversation-ID", "ticket-" + marker)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock/gpt-4o\",\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"" + marker + " streamed\"}]}")).build());

            JsonNode threads = await("two threads of three turns for " + marker, Duration.ofSeconds(10))
                    .until(() -> GatewayClient.json(gateway().get("api/conversations?q=" + marker).body()),
                            t -> t.path("total").asLong() == 2 && turns(t) == 3);
            JsonNode implicit = null;
            JsonNode named = null;
            for (JsonNode t : threads.path("data")) {
                if (t.path("thread_id").asText().contains("ticket-" + marker)) {
                    named = t;
                } else {
                    implicit = t;
                }
            }
            assertThat(implicit.path("turns").asLong()).as("the second request continues the first").isEqualTo(2);
            assertThat(named.path("turns").asLong()).isEqualTo(1);

            JsonNode thread = GatewayClient.json(gateway().get("api/conversations/" + implicit.path("thread_id").asText()).body());
            String request = thread.path("turns").get(0).path("request_text").asText();
            assertThat(request).contains(marker).contains("[REDACTED]").doesNotContain("abcdefghijklmnopqrstuvwx");
            assertThat(thread.path("turns").get(0).path("response_text").asText()).isEqualTo("Hello!");
            JsonNode streamed = GatewayClient.json(gateway().get("api/conversations/" + named.path("thread_id").asText()).body());
            assertThat(streamed.path("turns").get(0).path("response_text").asText()).as("reassembled from the stream")
                    .isEqualTo("Hello!");
        } finally {
            gateway().send(gateway().request("api/settings").header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"conversations_enabled\":false}")).build());
        }
    }

    private static long turns(JsonNode threads) {
        long n = 0;
        for (JsonNode t : threads.path("data")) {
            n += t.path("turns").asLong();
        }
        return n;
    }

    @Test
    void theOperationalLogRecordsChangesAndProviderFailures() throws Exception {
        String team = "events-" + UUID.randomUUID();
        assertThat(gateway().post("api/teams", "{\"name\":\"" + team + "\"}").statusCode()).isEqualTo(201);
        gateway().post("v1/chat/completions", "{\"model\":\"down/gpt-4o\",\"messages\":[]}");

        JsonNode change = waitForEvent("category=config&q=" + team);
        assertThat(change.path("actor").asText()).startsWith("bootstrap-admin #");
        assertThat(change.path("level").asText()).isEqualTo("info");
        JsonNode failure = waitForEvent("category=provider&q=down");
        assertThat(failure.path("level").asText()).isEqualTo("error");
    }

    private JsonNode waitForEvent(String query) throws Exception {
        return await("an event for " + query, Duration.ofSeconds(10))
                .until(() -> GatewayClient.json(gateway().get("api/events?" + query).body()), page -> page.path("total").asLong() > 0)
                .path("data").get(0);
    }

    @Test
    void providersOwnRateLimitHeadersAreRecordedAndLowOnesFlagged() throws Exception {
        upstream().on("POST", "/v1/chat/completions", Reply.json(200, DefaultReplies.chat("gpt-4o", "hi"),
                "x-ratelimit-limit-requests", "1000", "x-ratelimit-remaining-requests", "20",
                "x-ratelimit-limit-tokens", "50000", "x-ratelimit-remaining-tokens", "40000",
                "x-ratelimit-reset-requests", "6m0s"));
        gateway().post("v1/chat/completions", "{\"model\":\"impatient/gpt-4o\",\"messages\":[]}");

        JsonNode quota = await("provider quota of 'impatient'", Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    for (JsonNode q : GatewayClient.json(gateway().get("api/provider-quotas").body())) {
                        if (q.path("provider").asText().equals("impatient") && q.path("remaining_requests").asLong() == 20) {
                            return q;
                        }
                    }
                    return null;
                }, Objects::nonNull);
        assertThat(quota.path("limit_tokens").asLong()).isEqualTo(50000);
        assertThat(quota.path("reset_requests").asText()).isEqualTo("6m0s");
        assertThat(quota.path("low").asBoolean()).isTrue();
        assertThat(waitForEvent("category=provider-quota&q=impatient").path("message").asText()).contains("running low");
        assertThat(List.of(quota.path("provider").asText())).containsExactly("impatient");
    }
}
