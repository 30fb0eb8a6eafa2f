package io.tokenrouter.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/**
 * The cluster settings the console's Settings page edits, through the same API: retention, trusted proxies
 * and provider-quota alerts are validated field by field (a bad field changes nothing), stored for every
 * node, and take effect at once — a newly trusted proxy's forwarded client address is what the log shows.
 */
class SettingsIT extends DeployedGateway {

    @ArquillianResource
    URL deployment;

    private GatewayClient gateway() {
        return new GatewayClient(deployment);
    }

    private HttpResponse<String> patch(String json) throws Exception {
        return gateway().send(gateway().request("api/settings").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test
    void operationalSettingsAreValidatedStoredAndFollowed() throws Exception {
        JsonNode before = GatewayClient.json(gateway().get("api/settings").body());
        assertThat(before.path("log_retention").asText()).isNotEmpty();
        assertThat(before.path("trusted_proxies").isArray()).isTrue();

        for (String[] bad : new String[][] {
                {"{\"log_retention\":\"5m\",\"conversation_retention\":\"2d\"}", "log_retention"},
                {"{\"conversation_retention\":\"forever\"}", "conversation_retention"},
                {"{\"trusted_proxies\":[\"10.0.0.0/8\",\"proxy.internal\"]}", "trusted_proxies"},
                {"{\"provider_quota_alert_share\":1.5}", "provider_quota_alert_share"},
                {"{\"alert_webhook_url\":\"file:///etc/passwd\"}", "alert_webhook_url"}}) {
            HttpResponse<String> refused = patch(bad[0]);
            assertThat(refused.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(GatewayClient.json(refused.body()).path("error").path("param").asText()).isEqualTo(bad[1]);
        }
        assertThat(GatewayClient.json(gateway().get("api/settings").body()).path("conversation_retention"))
                .as("a refused update changes nothing").isEqualTo(before.path("conversation_retention"));

        try {
            HttpResponse<String> saved = patch("{\"log_retention\":\"14d\",\"conversation_retention\":\"36h\","
                    + "\"trusted_proxies\":[\"127.0.0.1\"],\"provider_quota_alert_share\":0.2,"
                    + "\"alert_webhook_url\":\"https://hooks.example.com/tokenrouter?token=secret-hook-token\"}");
            assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
            JsonNode now = GatewayClient.json(saved.body());
            assertThat(now.path("log_retention").asText()).isEqualTo("14d");
            assertThat(now.path("conversation_retention").asText()).isEqualTo("36h");
            assertThat(now.path("provider_quota_alert_share").asDouble()).isEqualTo(0.2);
            assertThat(now.path("trusted_proxies").toString()).isEqualTo("[\"127.0.0.1\"]");

            // the gateway now believes what 127.0.0.1 forwards
            HttpResponse<String> chat = gateway().send(gateway().request("v1/chat/completions")
                    .header("Content-Type", "application/json").header("X-Forwarded-For", "203.0.113.77")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
            assertThat(chat.statusCode()).isEqualTo(200);
            JsonNode row = gateway().usage(chat.headers().firstValue("x-request-id").orElseThrow());
            assertThat(row.path("client_ip").asText()).isEqualTo("203.0.113.77");

            // the audit trail names the change but not the webhook's token
            JsonNode events = GatewayClient.json(gateway().get("api/events?category=config&q=settings&limit=5").body());
            assertThat(events.toString()).contains("hooks.example.com").doesNotContain("secret-hook-token");
        } finally {
            assertThat(patch("{\"log_retention\":\"\",\"conversation_retention\":\"\",\"trusted_proxies\":[],"
                    + "\"provider_quota_alert_share\":" + before.path("provider_quota_alert_share").asDouble()
                    + ",\"alert_webhook_url\":\"\"}").statusCode()).isEqualTo(200);
        }
        JsonNode after = GatewayClient.json(gateway().get("api/settings").body());
        assertThat(after.path("trusted_proxies").size()).isZero();
        HttpResponse<String> chat = gateway().send(gateway().request("v1/chat/completions")
                .header("Content-Type", "application/json").header("X-Forwarded-For", "203.0.113.78")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
        assertThat(gateway().usage(chat.headers().firstValue("x-request-id").orElseThrow()).path("client_ip").asText())
                .isEqualTo("127.0.0.1");
    }
}
