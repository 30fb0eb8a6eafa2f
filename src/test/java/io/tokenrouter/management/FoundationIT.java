package io.tokenrouter.management;

import static io.tokenrouter.testing.ApiClient.fields;
import static io.tokenrouter.testing.ApiClient.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.ApiClient;
import io.tokenrouter.testing.ApiClient.Key;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.FromAddress;
import io.tokenrouter.testing.GatewayClient;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The foundation's faults found in review, each through the deployed gateway: refusals in the request
 * log with their request id, sessions and throttled sign-in, bounded token reservations, key depth,
 * provider keys that cannot leak, allow-lists that fallback lists cannot bypass, JSON error pages and
 * bounded management bodies.
 */
class FoundationIT extends DeployedGateway {

    private static final String PASSWORD = "it-admin-password-correct";
    private static final String CHAT = "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @ArquillianResource
    URL deployment;

    private ApiClient admin() {
        return new ApiClient(deployment);
    }

    private GatewayClient gateway() {
        return new GatewayClient(deployment);
    }

    // ---------------------------------------------------------------- every request in the log

    /** A /v1 call that is refused before forwarding, with the status and code it must get. */
    record Refusal(String label, String path, String contentType, String body, boolean withKey, int status, String code,
                   boolean authenticated) {
        Refusal(String label, String path, String contentType, String body, boolean withKey, int status, String code) {
            this(label, path, contentType, body, withKey, status, code, withKey);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Arguments> refusals() {
        String big = "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
        return Stream.of(
                Arguments.of(new Refusal("400 bad JSON", "v1/chat/completions", "application/json", "{\"model\":", true,
                        400, "invalid_json")),
                Arguments.of(new Refusal("400 non-numeric max_tokens", "v1/chat/completions", "application/json",
                        "{\"model\":\"mock/gpt-4o-mini\",\"max_tokens\":\"lots\",\"messages\":[]}", true, 400, null)),
                Arguments.of(new Refusal("401 unknown key", "v1/chat/completions", "application/json", CHAT, false,
                        401, "invalid_api_key")),
                Arguments.of(new Refusal("404 disabled provider", "v1/chat/completions", "application/json",
                        "{\"model\":\"off/gpt-4o\",\"messages\":[]}", true, 404, "model_not_found")),
                // refused while matching the path, before the key is even looked at
                Arguments.of(new Refusal("404 unknown path", "v1/no-such-endpoint", "application/json", CHAT, true,
                        404, null, false)),
                Arguments.of(new Refusal("413 body too large", "v1/chat/completions", "application/json", big, true,
                        413, "request_too_large")),
                Arguments.of(new Refusal("415 not JSON", "v1/chat/completions", "text/plain", CHAT, true, 415, null, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void everyRefusalCarriesARequestIdAndIsLogged(Refusal refusal) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway().uri(refusal.path()))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", refusal.contentType())
                .header("Authorization", "Bearer " + (refusal.withKey() ? GatewayClient.ADMIN_KEY : "tr-nobody-" + unique("k")))
                .POST(HttpRequest.BodyPublishers.ofString(refusal.body()));
        HttpResponse<String> response = gateway().send(request.build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(refusal.status());
        JsonNode error = GatewayClient.error(response);
        if (refusal.code() != null) {
            assertThat(error.path("code").asText()).isEqualTo(refusal.code());
        }
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        JsonNode row = gateway().usage(requestId);
        assertThat(row.path("status").asInt()).isEqualTo(refusal.status());
        assertThat(row.path("outcome").asText()).isEqualTo("refused");
        assertThat(row.path("client_ip").asText()).isNotBlank();
        if (refusal.authenticated()) {
            assertThat(row.path("key_name").asText()).isEqualTo("bootstrap-admin");
        } else if (!refusal.withKey()) {
            assertThat(row.path("key_id").isNull()).as("an unknown key is logged without a key").isTrue();
        }
        if (refusal.code() != null) {
            assertThat(row.path("error_type").asText()).isEqualTo(refusal.code());
        }
    }

    @Test
    void aQuotaRefusalIsLoggedWithTheLimitThatRefusedAndCountedApartInAnalyticsAndMetrics() throws Exception {
        Key key = admin().createKey(fields("name", unique("refused"), "quotas",
                List.of(fields("metric", "requests", "period", "total", "limit", 1))));
        ApiClient client = admin().as(key);
        assertThat(client.post("v1/chat/completions", CHAT).statusCode()).isEqualTo(200);

        HttpResponse<String> refused = client.post("v1/chat/completions", CHAT);

        assertThat(refused.statusCode()).isEqualTo(429);
        JsonNode row = gateway().usage(refused.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.path("outcome").asText()).isEqualTo("refused");
        assertThat(row.path("error_type").asText()).isEqualTo("insufficient_quota");
        assertThat(row.path("error_message").asText()).contains("quota of key '" + key.name() + "'");
        assertThat(row.path("model").asText()).isEqualTo("mock/gpt-4o-mini");
        JsonNode usage = admin().awaitJson("api/usage?group_by=key", u -> refusalsOf(u, key) == 1, Duration.ofSeconds(5));
        assertThat(refusalsOf(usage, key)).isEqualTo(1);
        JsonNode refusedLog = admin().getJson("api/logs?status=refused&key_id=" + key.id());
        assertThat(refusedLog.path("total").asLong()).isEqualTo(1);
        String metrics = gateway().get("metrics").body();
        assertThat(metrics).containsPattern("tokenrouter_refusals_total\\{[^}]*code=\"insufficient_quota\"[^}]*status=\"429\"");
    }

    private static long refusalsOf(JsonNode usage, Key key) {
        for (JsonNode group : usage.path("groups")) {
            if (group.path("value").asText().endsWith("#" + key.id())) {
                return group.path("totals").path("refusals").asLong();
            }
        }
        return -1;
    }

    @Test
    void successfulAnswersAndTheModelListCarryARequestIdToo() throws Exception {
        assertThat(gateway().get("v1/models").headers().firstValue("x-request-id")).isPresent();
        HttpResponse<String> chat = gateway().post("v1/chat/completions", CHAT);
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(chat.headers().allValues("x-request-id")).hasSize(1);
    }

    // ---------------------------------------------------------------- quotas that cannot be bypassed

    @Test
    void aHugeMaxTokensCannotWrapAReservationAndAStringMaximumIsABadRequest() throws Exception {
        Key key = admin().createKey(fields("name", unique("wrap"), "quotas",
                List.of(fields("metric", "tokens", "period", "total", "limit", 5000))));
        ApiClient client = admin().as(key);

        HttpResponse<String> huge = client.post("v1/chat/completions", "{\"model\":\"mock/gpt-4o-mini\","
                + "\"max_completion_tokens\":9223372036854775807,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> text = client.post("v1/chat/completions", "{\"model\":\"mock/gpt-4o-mini\","
                + "\"max_tokens\":\"100\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> many = client.post("v1/chat/completions", "{\"model\":\"mock/gpt-4o-mini\","
                + "\"max_tokens\":1000,\"n\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(huge.statusCode()).as(huge.body()).isEqualTo(429);
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(GatewayClient.error(text).path("param").asText()).isEqualTo("max_tokens");
        assertThat(many.statusCode()).as("8 choices of 1000 tokens do not fit 5000").isEqualTo(429);
        JsonNode quota = admin().getJson("api/keys/" + key.id()).path("quotas").get(0);
        assertThat(quota.path("reserved").asLong()).isZero();
        assertThat(quota.path("used").asLong()).isZero();
    }

    @Test
    void keysNestAtMostEightDeep() throws Exception {
        Key parent = admin().createKey(fields("name", unique("depth-1"), "role", "keymaster"));
        for (int depth = 2; depth <= 8; depth++) {
            parent = admin().createKey(fields("name", unique("depth-" + depth), "role", "keymaster", "parent_id", parent.id()));
        }

        HttpResponse<String> ninth = admin().post("api/keys", fields("name", unique("depth-9"), "parent_id", parent.id()));

        assertThat(ninth.statusCode()).isEqualTo(400);
        assertThat(GatewayClient.error(ninth).path("param").asText()).isEqualTo("parent_id");
        assertThat(admin().as(parent).post("v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    }

    @Test
    void aFallbackModelListCannotLeaveTheKeysAllowList() throws Exception {
        Key narrow = admin().createKey(fields("name", unique("narrow"), "allowed_models", List.of("mock/gpt-4o-mini")));
        ApiClient client = admin().as(narrow);

        HttpResponse<String> escape = client.post("v1/chat/completions", "{\"model\":\"mock/gpt-4o-mini\","
                + "\"models\":[\"gpt-4o-mini\",\"gpt-4o\"],\"route\":\"fallback\",\"messages\":[]}");
        HttpResponse<String> inside = client.post("v1/chat/completions", "{\"model\":\"mock/gpt-4o-mini\","
                + "\"models\":[\"gpt-4o-mini\"],\"messages\":[]}");
        HttpResponse<String> malformed = client.post("v1/chat/completions", "{\"model\":\"mock/gpt-4o-mini\","
                + "\"models\":\"gpt-4o\",\"messages\":[]}");

        assertThat(escape.statusCode()).isEqualTo(403);
        assertThat(GatewayClient.error(escape).path("message").asText()).contains("gpt-4o");
        JsonNode refused = gateway().usage(escape.headers().firstValue("x-request-id").orElseThrow());
        assertThat(refused.path("status").asInt()).as("a 403 is logged like every refusal").isEqualTo(403);
        assertThat(refused.path("outcome").asText()).isEqualTo("refused");
        assertThat(refused.path("key_name").asText()).isEqualTo(narrow.name());
        assertThat(refused.path("error_type").asText()).isEqualTo("model_not_allowed");
        assertThat(inside.statusCode()).isEqualTo(200);
        assertThat(malformed.statusCode()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- one rule for unknown models

    @Test
    void aModelTheProviderDoesNotOfferIsA404NamingCloseMatchesAndLogsUnderOneName() throws Exception {
        admin().awaitJson("v1/models", m -> m.toString().contains("mock/gpt-4o-mini"), Duration.ofSeconds(10));

        HttpResponse<String> typo = gateway().post("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o-mni\",\"messages\":[]}");
        HttpResponse<String> bare = gateway().post("v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[]}");

        assertThat(typo.statusCode()).isEqualTo(404);
        assertThat(GatewayClient.error(typo).path("message").asText()).contains("did you mean mock/gpt-4o-mini");
        assertThat(bare.statusCode()).as("the default provider offers it").isEqualTo(200);
        JsonNode row = gateway().usage(bare.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.path("model").asText()).as("logged under its provider/model id").isEqualTo("mock/gpt-4o-mini");
    }

    /** Issue 24, item 7: per provider, a model its list does not name is forwarded or refused, as set. */
    @Test
    void aProviderCanForwardModelsItsListDoesNotName() throws Exception {
        String name = unique("partial");
        JsonNode created = providerWithDiscoveredModels(name);
        assertThat(created.path("forward_unlisted_models").asBoolean())
                .as("a provider without a preset takes its list at its word").isFalse();
        String unlisted = "{\"model\":\"" + name + "/ft:gpt-4o-mini:acme::x1\",\"messages\":[]}";

        assertThat(gateway().post("v1/chat/completions", unlisted).statusCode()).isEqualTo(404);
        HttpResponse<String> forward = admin().patch("api/providers/" + name, fields("forward_unlisted_models", true));
        assertThat(GatewayClient.json(forward.body()).path("forward_unlisted_models").asBoolean()).isTrue();
        assertThat(GatewayClient.json(forward.body()).path("forward_unlisted_models_by_default").asBoolean()).isFalse();
        HttpResponse<String> forwarded = gateway().post("v1/chat/completions", unlisted);
        assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
        assertThat(GatewayClient.json(upstream().last("POST", "/v1/chat/completions").body()).path("model").asText())
                .isEqualTo("ft:gpt-4o-mini:acme::x1");

        HttpResponse<String> back = admin().patch("api/providers/" + name, fields("forward_unlisted_models", "default"));
        assertThat(GatewayClient.json(back.body()).path("forward_unlisted_models_by_default").asBoolean()).isTrue();
        assertThat(gateway().post("v1/chat/completions", unlisted).statusCode()).isEqualTo(404);
        HttpResponse<String> wrong = admin().patch("api/providers/" + name, fields("forward_unlisted_models", "maybe"));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("forward_unlisted_models");
    }

    // ---------------------------------------------------------------- provider keys cannot leak

    @Test
    void aPresetWhoseUrlNamesTheCustomersResourceSaysWhatToFillIn() throws Exception {
        JsonNode presets = GatewayClient.json(admin().get("api/providers/presets").body());
        assertThat(presets.size()).isGreaterThanOrEqualTo(44);
        JsonNode azure = null;
        for (JsonNode p : presets) {
            if (p.path("id").asText().equals("azure")) {
                azure = p;
            }
        }
        assertThat(azure).isNotNull();
        assertThat(azure.path("template").asText()).isEqualTo("https://{resource_name}.openai.azure.com/openai/v1");
        assertThat(azure.path("base_url").asText(null)).isNull();

        String name = unique("azure");
        HttpResponse<String> bare = admin().post("api/providers", fields("name", name, "preset", "azure", "api_key", "k"));
        assertThat(bare.statusCode()).as(bare.body()).isEqualTo(400);
        assertThat(GatewayClient.error(bare).path("param").asText()).isEqualTo("base_url");
        assertThat(GatewayClient.error(bare).path("message").asText()).contains("{resource_name}.openai.azure.com");
        HttpResponse<String> unfilled = admin().post("api/providers", fields("name", name, "preset", "azure", "api_key", "k",
                "base_url", "https://{resource_name}.openai.azure.com/openai/v1"));
        assertThat(unfilled.statusCode()).as(unfilled.body()).isEqualTo(400);
        assertThat(GatewayClient.error(unfilled).path("message").asText()).contains("placeholder {resource_name}");

        HttpResponse<String> created = admin().post("api/providers", fields("name", name, "preset", "azure",
                "api_key", "azure-secret", "base_url", "http://127.0.0.1:" + upstream().port() + "/v1"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> answer = admin().post("v1/chat/completions",
                "{\"model\":\"" + name + "/gpt-4o-mini\",\"messages\":[]}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(upstream().last("POST", "/v1/chat/completions").header("api-key")).as("Azure's way").isEqualTo("azure-secret");
        assertThat(upstream().last("POST", "/v1/chat/completions").header("authorization")).isNull();
    }

    /**
     * SAP AI Core: the URL names the deployment and carries its api-version; the key is the service key as SAP gives
     * it (on several lines), exchanged once for a bearer token sent with the resource group, never sent itself.
     */
    @Test
    void aServiceKeyIsExchangedForATokenOnceAndNeverSent() throws Exception {
        String name = unique("sap");
        String base = "http://127.0.0.1:" + upstream().port();
        String tokenPath = "/" + name + "-auth/oauth/token";
        String deployment = "/v2/inference/deployments/d-" + name;
        String serviceKey = "{\n  \"clientid\": \"sb-" + name + "!b1|aicore!b540\",\n  \"clientsecret\": \"sap-secret-"
                + name + "\",\n  \"url\": \"" + base + "/" + name + "-auth\",\n  \"resource_group\": \"team-a\"\n}\n";
        upstream().on("POST", tokenPath, io.tokenrouter.testing.Reply.json(200,
                "{\"access_token\":\"sap-token-0123456789\",\"token_type\":\"bearer\",\"expires_in\":43199}"));

        String chatPath = deployment + "/chat/completions?api-version=2023-05-15";
        for (int i = 0; i < 2; i++) { // the second quotes the token it was called with
            upstream().on("POST", chatPath, io.tokenrouter.testing.Reply.json(200,
                    io.tokenrouter.testing.DefaultReplies.chat("gpt-4o", "Hi from SAP" + (i == 1 ? ", sap-token-0123456789" : ""))));
        }
        HttpResponse<String> created = admin().post("api/providers", fields("name", name, "preset", "sap-ai-core",
                "api_key", serviceKey, "base_url", base + deployment + "?api-version=2023-05-15"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(GatewayClient.json(created.body()).path("auth_style").asText()).isEqualTo("service_key");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> answer = admin().post("v1/chat/completions",
                    "{\"model\":\"" + name + "/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("Hi from SAP").doesNotContain("sap-token-0123456789");
        }
        JsonNode test = GatewayClient.json(admin().post("api/providers/" + name + "/test", "{}").body());
        assertThat(test.path("ok").asBoolean()).as(test.toString()).isTrue();
        assertThat(test.path("message").asText()).contains("exchanged for a token").contains("lists no models");

        assertThat(upstream().last("POST", chatPath).header("authorization")).isEqualTo("Bearer sap-token-0123456789");
        assertThat(upstream().last("POST", chatPath).header("ai-resource-group")).isEqualTo("team-a");
        var received = upstream().received();
        assertThat(received.stream().filter(r -> r.path().equals(tokenPath)).count()).as("one exchange serves both")
                .isEqualTo(1);
        var exchange = upstream().last("POST", tokenPath);
        assertThat(exchange.body()).contains("grant_type=client_credentials");
        assertThat(exchange.header("authorization")).isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString(
                ("sb-" + name + "!b1|aicore!b540:sap-secret-" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(received.stream().filter(r -> !r.path().equals(tokenPath))
                .allMatch(r -> !r.toString().contains("sap-secret-" + name))).as("the secret goes to the token server only")
                .isTrue();
    }

    @Test
    void aServiceKeyTheTokenServerRefusesIsABadGatewayThatSaysSo() throws Exception {
        String name = unique("sapbad");
        String base = "http://127.0.0.1:" + upstream().port();
        String tokenPath = "/" + name + "-auth/oauth/token";
        for (int i = 0; i < 2; i++) {
            upstream().on("POST", tokenPath, io.tokenrouter.testing.Reply.json(401,
                    "{\"error\":\"unauthorized\",\"error_description\":\"Bad credentials\"}"));
        }
        assertThat(admin().post("api/providers", fields("name", name, "preset", "sap-ai-core", "api_key",
                "{\"clientid\":\"c\",\"clientsecret\":\"s3cr3t-" + name + "\",\"url\":\"" + base + "/" + name + "-auth\"}",
                "base_url", base + "/v2/inference/deployments/x?api-version=2023-05-15")).statusCode()).isEqualTo(201);
        HttpResponse<String> refused = admin().post("v1/chat/completions",
                "{\"model\":\"" + name + "/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(502);
        assertThat(GatewayClient.error(refused).path("message").asText()).contains("refused the service key: HTTP 401")
                .contains("Bad credentials").doesNotContain("s3cr3t");
        JsonNode test = GatewayClient.json(admin().post("api/providers/" + name + "/test", "{}").body());
        assertThat(test.path("ok").asBoolean()).isFalse();
        assertThat(test.path("message").asText()).contains("refused the service key");

        String notAKey = unique("sapnokey");
        assertThat(admin().post("api/providers", fields("name", notAKey, "preset", "sap-ai-core", "api_key", "plain-token",
                "base_url", base + "/v2/inference/deployments/x?api-version=2023-05-15")).statusCode()).isEqualTo(201);
        HttpResponse<String> misconfigured = admin().post("v1/chat/completions",
                "{\"model\":\"" + notAKey + "/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(misconfigured.statusCode()).isEqualTo(502);
        assertThat(GatewayClient.error(misconfigured).path("message").asText()).contains("must be the service key");
    }

    /** GitHub Copilot's key is the token of GitHub's device flow: a code to enter, polled until granted, then stored. */
    @Test
    void aCopilotProviderIsSignedInByTheDeviceFlow() throws Exception {
        String name = unique("copilot");
        String server = copilotProvider(name);
        upstream().on("POST", "/" + name + "-gh/login/device/code", io.tokenrouter.testing.Reply.json(200,
                "{\"device_code\":\"dev-1\",\"user_code\":\"ABCD-1234\",\"verification_uri\":"
                        + "\"https://github.com/login/device\",\"expires_in\":900,\"interval\":5}"));

        HttpResponse<String> started = admin().post("api/providers/" + name + "/sign-in", fields("server", server));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        JsonNode code = GatewayClient.json(started.body());
        assertThat(code.path("user_code").asText()).isEqualTo("ABCD-1234");
        assertThat(code.path("verification_uri").asText()).isEqualTo("https://github.com/login/device");
        assertThat(code.path("device_code").asText()).isEqualTo("dev-1");
        assertThat(upstream().last("POST", "/" + name + "-gh/login/device/code").body())
                .contains("\"client_id\":\"Ov23li8tweQw6odWQebz\"").contains("\"scope\":\"read:user\"");

        String tokenPath = "/" + name + "-gh/login/oauth/access_token";
        upstream().on("POST", tokenPath, io.tokenrouter.testing.Reply.json(200, "{\"error\":\"authorization_pending\"}"));
        upstream().on("POST", tokenPath, io.tokenrouter.testing.Reply.json(200, "{\"error\":\"slow_down\",\"interval\":10}"));
        upstream().on("POST", tokenPath, io.tokenrouter.testing.Reply.json(200,
                "{\"access_token\":\"gho_signed_in\",\"token_type\":\"bearer\",\"scope\":\"read:user\"}"));
        HttpResponse<String> pending = admin().post("api/providers/" + name + "/sign-in/poll",
                fields("device_code", "dev-1", "server", server));
        assertThat(pending.statusCode()).as(pending.body()).isEqualTo(202);
        assertThat(GatewayClient.json(pending.body()).path("status").asText()).isEqualTo("pending");
        HttpResponse<String> slower = admin().post("api/providers/" + name + "/sign-in/poll",
                fields("device_code", "dev-1", "server", server));
        assertThat(GatewayClient.json(slower.body()).path("interval").asLong()).isEqualTo(10);
        HttpResponse<String> done = admin().post("api/providers/" + name + "/sign-in/poll",
                fields("device_code", "dev-1", "server", server));
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(GatewayClient.json(done.body()).path("status").asText()).isEqualTo("signed_in");
        assertThat(done.body()).doesNotContain("gho_signed_in");
        assertThat(upstream().last("POST", tokenPath).body()).contains("\"device_code\":\"dev-1\"")
                .contains("urn:ietf:params:oauth:grant-type:device_code");

        JsonNode view = GatewayClient.json(admin().get("api/providers/" + name).body());
        assertThat(view.path("has_api_key").asBoolean()).isTrue();
        assertThat(view.path("sign_in").asText()).isEqualTo("GitHub");
        HttpResponse<String> answer = admin().post("v1/chat/completions",
                "{\"model\":\"" + name + "/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(upstream().last("POST", "/v1/chat/completions").header("authorization")).isEqualTo("Bearer gho_signed_in");
        assertThat(admin().get("api/events?q=" + name).body()).contains("Signed provider '" + name + "' in with GitHub");
    }

    /** A GitHub Copilot provider at the test upstream, without a key; answers its sign-in server there. */
    private String copilotProvider(String name) throws Exception {
        assertThat(admin().post("api/providers", fields("name", name, "preset", "github-copilot",
                "base_url", "http://127.0.0.1:" + upstream().port() + "/v1")).statusCode()).isEqualTo(201);
        return "http://127.0.0.1:" + upstream().port() + "/" + name + "-gh";
    }

    @Test
    void aSignInThatCannotWorkIsRefusedWithTheReason() throws Exception {
        String name = unique("copilot");
        String server = copilotProvider(name);
        upstream().on("POST", "/" + name + "-gh/login/oauth/access_token", io.tokenrouter.testing.Reply.json(400,
                "{\"error\":\"expired_token\"}"));
        HttpResponse<String> expired = admin().post("api/providers/" + name + "/sign-in/poll",
                fields("device_code", "dev-old", "server", server));
        assertThat(expired.statusCode()).as(expired.body()).isEqualTo(400);
        assertThat(GatewayClient.error(expired).path("message").asText()).contains("the code expired")
                .contains("start the sign-in again");
        assertThat(GatewayClient.json(admin().get("api/providers/" + name).body()).path("has_api_key").asBoolean()).isFalse();

        upstream().on("POST", "/" + name + "-gh/login/device/code", io.tokenrouter.testing.Reply.json(200,
                "{\"device_code\":\"d\",\"user_code\":\"U\",\"verification_uri\":\"javascript:alert(1)\"}"));
        HttpResponse<String> scripted = admin().post("api/providers/" + name + "/sign-in", fields("server", server));
        assertThat(scripted.statusCode()).as("a page that is not a web page is not shown").isEqualTo(502);

        HttpResponse<String> pasted = admin().post("api/providers/" + name + "/sign-in", fields("server", "ftp://x"));
        assertThat(pasted.statusCode()).isEqualTo(400);
        assertThat(GatewayClient.error(pasted).path("param").asText()).isEqualTo("server");
        String openai = unique("plain");
        assertThat(admin().post("api/providers", fields("name", openai, "preset", "openai", "api_key", "sk-x",
                "base_url", "http://127.0.0.1:" + upstream().port() + "/v1")).statusCode()).isEqualTo(201);
        HttpResponse<String> noSignIn = admin().post("api/providers/" + openai + "/sign-in", "{}");
        assertThat(noSignIn.statusCode()).isEqualTo(400);
        assertThat(GatewayClient.error(noSignIn).path("message").asText()).contains("takes a pasted API key");
    }

    /** Every answer of /v1 says its length (none is buffered to learn it), errors in either envelope included. */
    @Test
    void answersAndErrorsSayTheirLength() throws Exception {
        HttpResponse<String> answer = admin().post("v1/chat/completions",
                "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> refused = admin().post("v1/chat/completions", "{\"model\":\"mock/gpt-4o-mini\"");
        HttpResponse<String> anthropic = admin().send("POST", "v1/messages", "{\"model\":\"nope/x\",\"max_tokens\":5,"
                + "\"messages\":[]}");
        HttpResponse<String> models = admin().get("v1/models");
        for (HttpResponse<String> r : List.of(answer, refused, anthropic, models)) {
            assertThat(r.headers().firstValue("content-length")).as(r.uri() + " " + r.statusCode())
                    .contains(String.valueOf(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
            assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
        }
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(anthropic.body()).startsWith("{\"type\":\"error\"");
        HttpResponse<String> api = admin().get("api/providers/mock");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("content-length")).as("the management API keeps Jersey's buffer (8 KiB)")
                .contains(String.valueOf(api.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    }

    @Test
    void aProviderKeyWithAControlCharacterIsRefusedAndAppearsNowhere() throws Exception {
        String secret = "sk-leak-" + unique("s");
        String name = unique("leaky");
        String base = "http://127.0.0.1:" + upstream().port() + "/v1";

        HttpResponse<String> created = admin().post("api/providers",
                fields("name", name, "base_url", base, "api_key", secret + "\n"));
        HttpResponse<String> control = admin().post("api/providers",
                fields("name", unique("bell"), "base_url", base, "api_key", secret + "\u0007x"));
        HttpResponse<String> trimmed = admin().post("api/providers",
                fields("name", name, "base_url", base, "api_key", "  " + secret + " \n"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(control.statusCode()).isEqualTo(400);
        assertThat(control.body()).doesNotContain(secret);
        assertThat(GatewayClient.error(control).path("param").asText()).isEqualTo("api_key");
        assertThat(trimmed.statusCode()).isEqualTo(409);
        HttpResponse<String> answer = admin().post("v1/chat/completions",
                "{\"model\":\"" + name + "/gpt-4o-mini\",\"messages\":[]}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(upstream().last("POST", "/v1/chat/completions").header("authorization")).isEqualTo("Bearer " + secret);
        assertThat(admin().get("api/events?q=" + secret).body()).doesNotContain(secret);
        assertThat(admin().get("api/providers/" + name).body()).doesNotContain(secret);
        assertThat(admin().get("api/logs?q=" + name).body()).doesNotContain(secret);
    }

    /**
     * Issue 24, item 6: a provider (or a proxy in front of it) that quotes the key it received hands it to
     * nobody: every key of its pool is removed from error bodies, answers, streamed events and the headers
     * the gateway keeps, before the client, the log or a capture sees them.
     */
    @Test
    void aProviderThatQuotesItsOwnKeysHandsThemToNobody() throws Exception {
        String one = "sk-pool-one-" + unique("k");
        String two = "sk-pool-two-" + unique("k");
        String name = unique("quoting");
        String quoted = one + " and " + two;
        HttpResponse<String> created = admin().post("api/providers", fields("name", name,
                "base_url", "http://127.0.0.1:" + upstream().port() + "/v1",
                "api_keys", List.of(fields("key", one), fields("key", two))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String chat = "{\"model\":\"" + name + "/gpt-4o-mini\",\"messages\":[]%s}";

        upstream().on("POST", "/v1/chat/completions", io.tokenrouter.testing.Reply.json(403,
                "{\"error\":{\"message\":\"Key not allowed for this model: " + quoted + "\",\"type\":\"invalid_request_error\"}}",
                "x-request-id", "req-" + one));
        HttpResponse<String> refused = admin().post("v1/chat/completions", String.format(chat, ""));
        upstream().on("POST", "/v1/chat/completions", io.tokenrouter.testing.Reply.raw(500, "text/html",
                "<h1>proxy error for key " + quoted + "</h1>"));
        HttpResponse<String> wrapped = admin().post("v1/chat/completions", String.format(chat, ""));
        upstream().on("POST", "/v1/chat/completions", io.tokenrouter.testing.Reply.json(200,
                io.tokenrouter.testing.DefaultReplies.chat("gpt-4o-mini", "Your keys are " + quoted)));
        HttpResponse<String> answered = admin().post("v1/chat/completions", String.format(chat, ""));
        upstream().on("POST", "/v1/chat/completions", io.tokenrouter.testing.Reply.sse(List.of(
                io.tokenrouter.testing.DefaultReplies.chatChunk("gpt-4o-mini", "Your keys: " + one),
                io.tokenrouter.testing.DefaultReplies.chatChunk("gpt-4o-mini", " and " + two), "[DONE]"), 10));
        HttpResponse<String> streamed = admin().post("v1/chat/completions", String.format(chat, ",\"stream\":true"));

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("Key not allowed for this model: [provider key] and [provider key]");
        assertThat(wrapped.statusCode()).isEqualTo(500);
        assertThat(wrapped.body()).contains("proxy error for key [provider key]");
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).contains("Your keys are [provider key] and [provider key]");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("Your keys: [provider key]").contains(" and [provider key]");
        for (HttpResponse<String> answer : List.of(refused, wrapped, answered, streamed)) {
            assertThat(answer.body()).doesNotContain(one).doesNotContain(two);
            assertThat(answer.headers().map().toString()).doesNotContain(one).doesNotContain(two);
        }
        JsonNode row = gateway().usage(refused.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.toString()).doesNotContain(one).contains("req-[provider key]");
        assertThat(admin().get("api/logs?limit=200").body()).doesNotContain(one).doesNotContain(two);
    }

    /**
     * Issue 24, item 5: a response id the gateway answered for one team does not let another team's key
     * continue that conversation at a provider organisation both share; the owner's team continues it.
     */
    @Test
    void aPreviousResponseIdContinuesOnlyAConversationOfTheCallersTeam() throws Exception {
        ApiClient.Team owners = admin().createTeam(fields("name", unique("owners")));
        ApiClient.Team others = admin().createTeam(fields("name", unique("others")));
        Key first = admin().createKey(fields("name", unique("owner-1"), "team_id", owners.id()));
        Key second = admin().createKey(fields("name", unique("owner-2"), "team_id", owners.id()));
        Key stranger = admin().createKey(fields("name", unique("stranger"), "team_id", others.id()));
        String id = "resp_" + unique("r").replace('-', '_');
        upstream().on("POST", "/v1/responses", io.tokenrouter.testing.Reply.json(200,
                "{\"id\":\"" + id + "\",\"object\":\"response\",\"status\":\"completed\",\"output\":[],"
                        + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1,\"total_tokens\":4}}"));
        assertThat(admin().as(first).post("v1/responses", "{\"model\":\"mock/gpt-4o\",\"input\":\"Our roadmap\"}")
                .statusCode()).isEqualTo(200);
        upstream().reset();
        String next = "{\"model\":\"mock/gpt-4o\",\"input\":\"And then?\",\"previous_response_id\":\"" + id + "\"}";

        HttpResponse<String> refused = admin().as(stranger).post("v1/responses", next);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(404);
        assertThat(GatewayClient.error(refused).path("code").asText()).isEqualTo("previous_response_not_found");
        assertThat(GatewayClient.error(refused).path("param").asText()).isEqualTo("previous_response_id");
        assertThat(upstream().received()).as("not forwarded").isEmpty();
        JsonNode row = gateway().usage(refused.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.path("outcome").asText()).isEqualTo("refused");

        assertThat(admin().as(second).post("v1/responses", next).statusCode()).as("the same team continues it").isEqualTo(200);
        assertThat(upstream().last("POST", "/v1/responses").body()).contains(id);
    }

    @Test
    void aProviderAddedThroughTheApiHasItsModelsDiscoveredWithoutARefresh() throws Exception {
        String name = unique("fresh");

        providerWithDiscoveredModels(name);

        assertThat(admin().getJson("v1/models").toString()).contains(name + "/gpt-4o-mini");
    }

    /** Adds a provider on the scripted upstream through the API and waits until its models are discovered. */
    private JsonNode providerWithDiscoveredModels(String name) throws Exception {
        HttpResponse<String> created = admin().post("api/providers", fields("name", name,
                "base_url", "http://127.0.0.1:" + upstream().port() + "/v1", "api_key", "sk-upstream-secret"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        admin().awaitJson("v1/models", m -> m.toString().contains(name + "/gpt-4o-mini"), Duration.ofSeconds(10));
        return GatewayClient.json(created.body());
    }

    // ---------------------------------------------------------------- sessions and sign-in

    @Test
    void theAdminPasswordOpensASessionThatWorksForTheApiUntilSignedOut() throws Exception {
        FromAddress client = new FromAddress(deployment, "127.0.0.21");
        FromAddress.Answer signIn = client.post("api/session", null, "{\"password\":\"" + PASSWORD + "\"}");
        assertThat(signIn.status()).as(signIn.body()).isEqualTo(201);
        JsonNode session = GatewayClient.json(signIn.body());
        String token = session.path("token").asText();
        assertThat(token).startsWith("trs_");
        assertThat(session.path("role").asText()).isEqualTo("admin");
        assertThat(session.path("name").asText()).isEqualTo("admin (password)");

        FromAddress.Answer me = client.get("api/me", token);
        FromAddress.Answer teams = client.post("api/teams", token, "{\"name\":\"" + unique("by-password") + "\"}");
        FromAddress.Answer inference = client.post("v1/chat/completions", token, CHAT);
        assertThat(me.status()).isEqualTo(200);
        assertThat(GatewayClient.json(me.body()).path("role").asText()).isEqualTo("admin");
        assertThat(teams.status()).as("a password session is a real admin principal").isEqualTo(201);
        assertThat(inference.status()).as("sessions are for the console and /api, not /v1").isEqualTo(401);

        assertThat(client.send("DELETE", "api/session", token, null).status()).isEqualTo(204);
        assertThat(client.get("api/me", token).status()).isEqualTo(401);
        assertThat(admin().get("api/events?category=sign-in&q=admin (password)".replace(" ", "%20")).body())
                .contains("Signed in as admin");
    }

    @Test
    void aKeymasterSessionSeesOnlyItsSubtreeAndInferrersCannotSignIn() throws Exception {
        Key keymaster = admin().createKey(fields("name", unique("km-session"), "role", "keymaster"));
        Key child = admin().as(keymaster).createKey(fields("name", unique("km-child")));
        Key inferrer = admin().createKey(fields("name", unique("inf-session")));
        FromAddress client = new FromAddress(deployment, "127.0.0.22");

        FromAddress.Answer signIn = client.post("api/session", null, "{\"key\":\"" + keymaster.secret() + "\"}");
        FromAddress.Answer refused = client.post("api/session", null, "{\"key\":\"" + inferrer.secret() + "\"}");

        assertThat(signIn.status()).as(signIn.body()).isEqualTo(201);
        String token = GatewayClient.json(signIn.body()).path("token").asText();
        JsonNode keys = GatewayClient.json(client.get("api/keys", token).body());
        assertThat(keys.path("total").asLong()).isEqualTo(1);
        assertThat(keys.path("data").get(0).path("id").asLong()).isEqualTo(child.id());
        assertThat(client.get("api/teams", token).status()).isEqualTo(403);
        assertThat(refused.status()).isEqualTo(403);
    }

    @Test
    void wrongPasswordsAreThrottledPerClientAddressAndOtherAddressesStillSignIn() throws Exception {
        FromAddress guesser = new FromAddress(deployment, "127.0.0.23");
        int refusedWith429 = 0;
        String retryAfter = null;
        for (int i = 0; i < 8; i++) {
            FromAddress.Answer answer = guesser.post("api/session", null, "{\"password\":\"guess-" + i + "\"}");
            assertThat(answer.status()).isIn(401, 429);
            if (answer.status() == 429) {
                refusedWith429++;
                retryAfter = answer.headers().get("retry-after");
            }
        }
        FromAddress.Answer honest = new FromAddress(deployment, "127.0.0.24")
                .post("api/session", null, "{\"password\":\"" + PASSWORD + "\"}");
        FromAddress.Answer setup = guesser.post("api/setup", null, "{\"setup_token\":\"guess\",\"name\":\"x\"}");

        assertThat(refusedWith429).as("5 attempts at once, then one every 12 s").isGreaterThanOrEqualTo(3);
        assertThat(retryAfter).isNotNull();
        assertThat(honest.status()).isEqualTo(201);
        assertThat(setup.status()).as("setup attempts share the throttle").isEqualTo(429);
    }

    // ---------------------------------------------------------------- JSON everywhere, bounded bodies

    @Test
    void unknownPathsAndWrongMethodsAnswerTheErrorEnvelopeWithoutServerDetails() throws Exception {
        HttpResponse<String> unknown = gateway().get("no/such/page");
        HttpResponse<String> postMetrics = gateway().post("metrics", "{}");

        for (HttpResponse<String> response : List.of(unknown, postMetrics)) {
            assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/json");
            GatewayClient.error(response);
            assertThat(response.body()).doesNotContainIgnoringCase("tomcat").doesNotContain("<html");
        }
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(postMetrics.statusCode()).isEqualTo(405);
    }

    @Test
    void managementBodiesAreLimited() throws Exception {
        String huge = "{\"name\":\"" + "n".repeat(1_100_000) + "\"}";
        HttpResponse<String> response = admin().post("api/teams", huge);

        assertThat(response.statusCode()).isEqualTo(413);
        GatewayClient.error(response);
    }
}
