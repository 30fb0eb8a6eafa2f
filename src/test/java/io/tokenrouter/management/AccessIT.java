package io.tokenrouter.management;

import static io.tokenrouter.testing.ApiClient.fields;
import static io.tokenrouter.testing.ApiClient.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.ApiClient;
import io.tokenrouter.testing.ApiClient.Key;
import io.tokenrouter.testing.ApiClient.Team;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.FromAddress;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Waits;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keys, roles, teams and quotas through the management API of the deployed gateway, and their effect on
 * {@code /v1}. Every team and key is created here with a unique name, since all IT classes share one database.
 */
class AccessIT extends DeployedGateway {

    private static final Duration CACHE_BOUND = Duration.ofSeconds(8);
    private static final Map<As, String> SECRETS = new EnumMap<>(As.class);

    @ArquillianResource
    URL deployment;

    private ApiClient admin() {
        return new ApiClient(deployment);
    }

    // ---------------------------------------------------------------- 1. role x endpoint

    enum As {
        ADMIN, KEYMASTER, INFERRER;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One management or /v1 call; {@code {unique}} in the body becomes a fresh name. */
    record Call(String label, String method, String path, String body) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Arguments> roleMatrix() {
        return Stream.of(
                row(new Call("GET /api/me", "GET", "api/me", null), 200, 200, 200),
                row(new Call("GET /api/teams", "GET", "api/teams", null), 200, 403, 403),
                row(new Call("POST /api/teams", "POST", "api/teams", "{\"name\":\"{unique}\"}"), 201, 403, 403),
                row(new Call("GET /api/keys", "GET", "api/keys", null), 200, 200, 403),
                row(new Call("POST /api/keys (inferrer)", "POST", "api/keys",
                        "{\"name\":\"{unique}\",\"role\":\"inferrer\"}"), 201, 201, 403),
                row(new Call("GET /api/providers", "GET", "api/providers", null), 200, 403, 403),
                row(new Call("GET /api/aliases", "GET", "api/aliases", null), 200, 403, 403),
                row(new Call("GET /api/settings", "GET", "api/settings", null), 200, 403, 403),
                row(new Call("PATCH /api/settings {}", "PATCH", "api/settings", "{}"), 200, 403, 403),
                row(new Call("POST /v1/chat/completions", "POST", "v1/chat/completions",
                        "{\"model\":\"mock/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 200, 200, 200),
                row(new Call("GET /v1/models", "GET", "v1/models", null), 200, 200, 200))
                .flatMap(s -> s);
    }

    private static Stream<Arguments> row(Call call, int admin, int keymaster, int inferrer) {
        return Stream.of(Arguments.of(As.ADMIN, call, admin), Arguments.of(As.KEYMASTER, call, keymaster),
                Arguments.of(As.INFERRER, call, inferrer));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("roleMatrix")
    void eachRoleReachesExactlyItsEndpoints(As role, Call call, int expected) throws Exception {
        String body = call.body() == null ? null : call.body().replace("{unique}", unique("matrix"));

        HttpResponse<String> response = admin().as(secretOf(role)).send(call.method(), call.path(), body);

        assertThat(response.statusCode()).as("%s as %s: %s", call, role, response.body()).isEqualTo(expected);
        if (expected == 403) {
            JsonNode error = GatewayClient.error(response);
            assertThat(error.path("type").asText()).isEqualTo("permission_error");
            assertThat(error.path("code").asText()).isEqualTo("insufficient_permissions");
        } else {
            JsonNode answer = ApiClient.parse(response);
            assertThat(answer.isObject()).isTrue();
            assertThat(answer.has("error")).as(response.body()).isFalse();
            if (call.path().equals("api/me")) {
                assertThat(answer.path("role").asText()).isEqualTo(role.wire());
            }
        }
    }

    private synchronized String secretOf(As role) throws Exception {
        if (SECRETS.isEmpty()) {
            SECRETS.put(As.ADMIN, GatewayClient.ADMIN_KEY);
            SECRETS.put(As.KEYMASTER, admin().createKey(fields("name", unique("matrix-km"), "role", "keymaster")).secret());
            SECRETS.put(As.INFERRER, admin().createKey(fields("name", unique("matrix-inf"), "role", "inferrer")).secret());
        }
        return SECRETS.get(role);
    }

    @Test
    void emptySettingsPatchChangesNothing() throws Exception {
        JsonNode before = admin().getJson("api/settings");

        HttpResponse<String> patched = admin().patch("api/settings", "{}");

        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(ApiClient.parse(patched)).isEqualTo(before);
        assertThat(admin().getJson("api/settings")).isEqualTo(before);
    }

    @Test
    void meWithoutAKeyOrWithAnUnknownKeyIs401() throws Exception {
        JsonNode missing = refused(admin().as((String) null).get("api/me"), 401);
        JsonNode unknown = refused(admin().as("tr-no-such-key-" + unique("x")).get("api/me"), 401);

        assertThat(missing.path("code").asText()).isEqualTo("missing_api_key");
        assertThat(unknown.path("code").asText()).isEqualTo("invalid_api_key");
    }

    // ---------------------------------------------------------------- 2. no path to admin

    @Test
    void keymasterCannotCreateAdminKeysDirectlyOrThroughAChild() throws Exception {
        Key keymaster = admin().createKey(fields("name", unique("km"), "role", "keymaster"));
        ApiClient asKeymaster = admin().as(keymaster);

        JsonNode direct = refused(asKeymaster.post("api/keys", fields("name", unique("esc"), "role", "admin")), 403);
        assertThat(direct.path("code").asText()).isEqualTo("insufficient_permissions");

        Key child = asKeymaster.createKey(fields("name", unique("km-child"), "role", "keymaster"));
        assertThat(child.details().path("parent_id").asLong()).isEqualTo(keymaster.id());
        assertThat(child.details().path("role").asText()).isEqualTo("keymaster");
        JsonNode viaChild = refused(admin().as(child).post("api/keys",
                fields("name", unique("esc"), "role", "admin")), 403);
        assertThat(viaChild.path("code").asText()).isEqualTo("insufficient_permissions");

        JsonNode beneathAdmin = refused(asKeymaster.post("api/keys",
                fields("name", unique("esc"), "role", "inferrer", "parent_id", bootstrapAdminId())), 404);
        assertThat(beneathAdmin.path("code").asText()).isEqualTo("not_found");
    }

    @Test
    void keymasterCannotTouchKeysOutsideItsSubtree() throws Exception {
        Key keymaster = admin().createKey(fields("name", unique("km"), "role", "keymaster"));
        Key other = admin().createKey(fields("name", unique("km-other"), "role", "keymaster"));
        Key othersChild = admin().as(other).createKey(fields("name", unique("other-child")));
        ApiClient asKeymaster = admin().as(keymaster);
        long adminId = bootstrapAdminId();

        for (long id : new long[] {adminId, othersChild.id()}) {
            assertThat(refused(asKeymaster.get("api/keys/" + id), 404).path("code").asText()).isEqualTo("not_found");
            assertThat(refused(asKeymaster.patch("api/keys/" + id, fields("name", unique("taken"))), 404)
                    .path("code").asText()).isEqualTo("not_found");
            assertThat(refused(asKeymaster.post("api/keys/" + id + "/revoke", (String) null), 404)
                    .path("code").asText()).isEqualTo("not_found");
        }
        JsonNode widenSelf = refused(asKeymaster.patch("api/keys/" + keymaster.id(),
                fields("expires_at", Instant.now().plus(3650, ChronoUnit.DAYS).toString())), 404);
        assertThat(widenSelf.path("code").asText()).isEqualTo("not_found");
        JsonNode resetSelf = refused(asKeymaster.post("api/keys/" + keymaster.id() + "/reset", (String) null), 404);
        assertThat(resetSelf.path("code").asText()).isEqualTo("not_found");

        JsonNode stillThere = admin().getJson("api/keys/" + othersChild.id());
        assertThat(stillThere.path("revoked_at").isNull()).isTrue();
        assertThat(stillThere.path("name").asText()).isEqualTo(othersChild.name());
        assertThat(admin().getJson("api/me").path("key").path("revoked_at").isNull()).isTrue();
        assertThat(admin().as(othersChild).chat("mock/gpt-4o").statusCode()).isEqualTo(200);
    }

    @Test
    void keymasterListsOnlyItsDescendants() throws Exception {
        Key keymaster = admin().createKey(fields("name", unique("km"), "role", "keymaster"));
        Key other = admin().createKey(fields("name", unique("km-other"), "role", "keymaster"));
        admin().as(other).createKey(fields("name", unique("other-child")));
        ApiClient asKeymaster = admin().as(keymaster);
        Key subKeymaster = asKeymaster.createKey(fields("name", unique("sub-km"), "role", "keymaster"));
        Key inferrer = asKeymaster.createKey(fields("name", unique("inf")));
        Key grandchild = admin().as(subKeymaster).createKey(fields("name", unique("grandchild")));

        JsonNode page = asKeymaster.getJson("api/keys");

        assertThat(page.path("total").asLong()).isEqualTo(3);
        assertThat(ids(page)).containsExactlyInAnyOrder(subKeymaster.id(), inferrer.id(), grandchild.id());
        assertThat(ids(admin().as(subKeymaster).getJson("api/keys"))).containsExactly(grandchild.id());
    }

    // ---------------------------------------------------------------- 3. child never wider than parent

    @Test
    void childIsNeverWiderThanItsParent() throws Exception {
        Instant parentExpiry = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        Key keymaster = admin().createKey(fields("name", unique("km-narrow"), "role", "keymaster",
                "expires_at", parentExpiry.toString(), "allowed_models", List.of("mock/gpt-4o")));
        ApiClient asKeymaster = admin().as(keymaster);

        JsonNode longer = refused(asKeymaster.post("api/keys", fields("name", unique("c"), "ttl", "2h")), 400);
        assertThat(longer.path("param").asText()).isEqualTo("expires_at");
        JsonNode wider = refused(asKeymaster.post("api/keys",
                fields("name", unique("c"), "allowed_models", List.of("mock/gpt-4o-mini"))), 400);
        assertThat(wider.path("param").asText()).isEqualTo("allowed_models");
        assertThat(wider.path("message").asText()).contains("mock/gpt-4o-mini");

        Key inferrer = admin().createKey(fields("name", unique("inf-parent"), "role", "inferrer"));
        JsonNode higherRole = refused(admin().post("api/keys",
                fields("name", unique("c"), "role", "keymaster", "parent_id", inferrer.id())), 400);
        assertThat(higherRole.path("param").asText()).isEqualTo("role");

        Key shortLived = asKeymaster.createKey(fields("name", unique("c-30m"), "ttl", "30m"));
        assertThat(shortLived.details().path("temporary").asBoolean()).isTrue();

        Key child = asKeymaster.createKey(fields("name", unique("c-inherit")));
        JsonNode stored = asKeymaster.getJson("api/keys/" + child.id());
        assertThat(stored.path("parent_id").asLong()).isEqualTo(keymaster.id());
        assertThat(stored.path("role").asText()).isEqualTo("inferrer");
        assertThat(stored.path("allowed_models").toString()).isEqualTo("[\"mock/gpt-4o\"]");
        assertThat(Instant.parse(stored.path("expires_at").asText())).isEqualTo(parentExpiry);

        JsonNode notAllowed = refused(admin().as(child).chat("mock/gpt-4o-mini"), 403);
        assertThat(notAllowed.path("code").asText()).isEqualTo("model_not_allowed");
        assertThat(notAllowed.path("param").asText()).isEqualTo("model");
        assertThat(admin().as(child).chat("mock/gpt-4o").statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- 4. revocation and expiry

    @Test
    void revokedKeyIsRefusedWithinTheCacheBound() throws Exception {
        Key key = admin().createKey(fields("name", unique("to-revoke")));
        assertThat(admin().as(key).chat("mock/gpt-4o").statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = admin().post("api/keys/" + key.id() + "/revoke", (String) null);

        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(ApiClient.parse(revoked).path("revoked_at").isTextual()).isTrue();
        JsonNode error = refused(awaitStatus(() -> admin().as(key).chat("mock/gpt-4o"), 401), 401);
        assertThat(error.path("code").asText()).isEqualTo("revoked_api_key");
    }

    @Test
    void revokingAParentStopsItsChild() throws Exception {
        Key parent = admin().createKey(fields("name", unique("parent"), "role", "keymaster"));
        Key child = admin().as(parent).createKey(fields("name", unique("child")));
        assertThat(admin().as(child).chat("mock/gpt-4o").statusCode()).isEqualTo(200);

        assertThat(admin().post("api/keys/" + parent.id() + "/revoke", (String) null).statusCode()).isEqualTo(200);

        JsonNode error = refused(awaitStatus(() -> admin().as(child).chat("mock/gpt-4o"), 401), 401);
        assertThat(error.path("code").asText()).isEqualTo("revoked_api_key");
        assertThat(error.path("message").asText()).contains("parent key '" + parent.name() + "'");
        assertThat(admin().getJson("api/keys/" + child.id()).path("revoked_at").isNull())
                .as("the child itself is not marked revoked").isTrue();
    }

    @Test
    void keyWithATtlExpires() throws Exception {
        Key key = admin().createKey(fields("name", unique("ttl-2s"), "ttl", "2s"));
        assertThat(admin().as(key).chat("mock/gpt-4o").statusCode()).isEqualTo(200);

        HttpResponse<String> later = awaitStatus(() -> admin().as(key).chat("mock/gpt-4o"), 401);

        JsonNode error = refused(later, 401);
        assertThat(error.path("code").asText()).isEqualTo("expired_api_key");
        assertThat(error.path("message").asText()).contains(key.details().path("expires_at").asText().substring(0, 19));
    }

    // ---------------------------------------------------------------- 5. team rules

    @Test
    void keysOfADisabledTeamAreRefused() throws Exception {
        Team team = admin().createTeam(fields("name", unique("team-off")));
        Key key = admin().createKey(fields("name", unique("member"), "team_id", team.id()));
        assertThat(key.details().path("team_id").asLong()).isEqualTo(team.id());
        assertThat(admin().as(key).chat("mock/gpt-4o").statusCode()).isEqualTo(200);

        HttpResponse<String> disabled = admin().patch("api/teams/" + team.id(), "{\"disabled\":true}");

        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
        assertThat(ApiClient.parse(disabled).path("disabled").asBoolean()).isTrue();
        JsonNode error = refused(awaitStatus(() -> admin().as(key).chat("mock/gpt-4o"), 401), 401);
        assertThat(error.path("code").asText()).isEqualTo("team_disabled");
        assertThat(error.path("message").asText()).contains(team.name());
    }

    @Test
    void teamAllowListNarrowsItsKeys() throws Exception {
        Team team = admin().createTeam(fields("name", unique("team-narrow"), "allowed_models", List.of("mock/gpt-4o")));
        Key outsider = admin().createKey(fields("name", unique("outsider")));
        Key member = admin().createKey(fields("name", unique("member"), "team_id", team.id()));
        ApiClient asMember = admin().as(member);

        JsonNode notAllowed = refused(asMember.chat("mock/gpt-4o-mini"), 403);
        assertThat(notAllowed.path("code").asText()).isEqualTo("model_not_allowed");
        assertThat(asMember.chat("mock/gpt-4o").statusCode()).isEqualTo(200);
        assertThat(admin().as(outsider).chat("mock/gpt-4o-mini").statusCode()).as("a key outside the team").isEqualTo(200);
        JsonNode models = asMember.awaitJson("v1/models", m -> m.path("data").size() > 0, Duration.ofSeconds(10));
        List<String> ids = new ArrayList<>();
        models.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertThat(ids).containsExactly("mock/gpt-4o");
    }

    // ---------------------------------------------------------------- 6. quotas

    @Test
    void totalRequestQuotaOfAKeyRefusesThenResets() throws Exception {
        Key key = admin().createKey(fields("name", unique("quota-2"),
                "quotas", List.of(fields("metric", "requests", "period", "total", "limit", 2))));
        assertThat(key.details().path("quotas").get(0).path("limit").asLong()).isEqualTo(2);
        ApiClient asKey = admin().as(key);

        HttpResponse<String> first = asKey.chat("mock/gpt-4o");
        HttpResponse<String> second = asKey.chat("mock/gpt-4o");
        HttpResponse<String> third = asKey.chat("mock/gpt-4o");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        JsonNode error = refused(third, 429);
        assertThat(error.path("code").asText()).isEqualTo("insufficient_quota");
        assertThat(error.path("message").asText()).contains("key '" + key.name() + "'").contains("total request quota");
        assertThat(third.headers().firstValue("Retry-After")).isEmpty();
        assertThat(third.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        assertThat(third.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
        assertThat(upstream().received()).filteredOn(r -> r.path().equals("/v1/chat/completions")).hasSize(2);
        JsonNode settled = admin().awaitJson("api/keys/" + key.id(),
                k -> k.path("quotas").get(0).path("reserved").asLong() == 0, Duration.ofSeconds(5));
        assertThat(settled.path("quotas").get(0).path("used").asLong()).isEqualTo(2);

        HttpResponse<String> reset = admin().post("api/keys/" + key.id() + "/reset", (String) null);

        assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
        assertThat(ApiClient.parse(reset).path("quotas").get(0).path("used").asLong()).isZero();
        assertThat(asKey.chat("mock/gpt-4o").statusCode()).isEqualTo(200);
    }

    @Test
    void dailyTokenQuotaOfATeamRefusesWithRetryAfter() throws Exception {
        Team team = admin().createTeam(fields("name", unique("team-tokens"),
                "quotas", List.of(fields("metric", "tokens", "period", "day", "limit", 100))));
        Key key = admin().createKey(fields("name", unique("member"), "team_id", team.id()));
        ApiClient asKey = admin().as(key);

        assertThat(asKey.chat("mock/gpt-4o", 10).statusCode()).isEqualTo(200);
        JsonNode settled = admin().awaitJson("api/teams/" + team.id(),
                t -> t.path("quotas").get(0).path("reserved").asLong() == 0, Duration.ofSeconds(5));
        assertThat(settled.path("quotas").get(0).path("used").asLong()).as("the upstream reported 15 tokens").isEqualTo(15);
        HttpResponse<String> refusedCall = asKey.chat("mock/gpt-4o", 90);

        JsonNode error = refused(refusedCall, 429);
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).contains("team '" + team.name() + "'").contains("daily token quota");
        long retryAfter = Long.parseLong(refusedCall.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 86_400L);
        assertThat(refusedCall.headers().firstValue("x-ratelimit-reset-tokens").orElseThrow()).matches("\\d+s");
        assertThat(refusedCall.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100");
        assertThat(refusedCall.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("85");
        assertThat(upstream().received()).filteredOn(r -> r.path().equals("/v1/chat/completions")).hasSize(1);
    }

    @Test
    void parentKeyQuotaAppliesToItsChildAndMeListsEveryLimit() throws Exception {
        Team team = admin().createTeam(fields("name", unique("team-chain"),
                "quotas", List.of(fields("metric", "tokens", "period", "day", "limit", 1_000_000))));
        Key parent = admin().createKey(fields("name", unique("parent-1req"), "role", "keymaster", "team_id", team.id(),
                "quotas", List.of(fields("metric", "requests", "period", "total", "limit", 1))));
        Key child = admin().as(parent).createKey(fields("name", unique("child-5req"),
                "quotas", List.of(fields("metric", "requests", "period", "total", "limit", 5))));
        ApiClient asChild = admin().as(child);

        JsonNode me = asChild.getJson("api/me");
        assertThat(me.path("role").asText()).isEqualTo("inferrer");
        assertThat(me.path("team").path("name").asText()).isEqualTo(team.name());
        List<String> owners = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> limits = new ArrayList<>();
        me.path("limits").forEach(l -> {
            owners.add(l.path("owner").asText());
            names.add(l.path("name").asText());
            limits.add(l.path("quota").path("limit").asLong());
        });
        assertThat(owners).containsExactly("key", "parent_key", "team");
        assertThat(names).containsExactly(child.name(), parent.name(), team.name());
        assertThat(limits).containsExactly(5L, 1L, 1_000_000L);

        assertThat(asChild.chat("mock/gpt-4o").statusCode()).isEqualTo(200);
        HttpResponse<String> second = asChild.chat("mock/gpt-4o");

        JsonNode error = refused(second, 429);
        assertThat(error.path("code").asText()).isEqualTo("insufficient_quota");
        assertThat(error.path("message").asText()).contains("parent key '" + parent.name() + "'");
    }

    // ---------------------------------------------------------------- 7. validation and paging

    @Test
    void invalidKeyRequestsAre400NamingTheField() throws Exception {
        JsonNode blank = refused(admin().post("api/keys", "{\"name\":\"\"}"), 400);
        assertThat(blank.path("param").asText()).isEqualTo("name");

        JsonNode unknown = refused(admin().post("api/keys", "{\"name\":\"x\",\"bogus\":1}"), 400);
        assertThat(unknown.path("message").asText()).contains("bogus");

        JsonNode metric = refused(admin().post("api/keys",
                "{\"name\":\"x\",\"quotas\":[{\"metric\":\"bytes\",\"limit\":1}]}"), 400);
        assertThat(metric.path("param").asText()).isEqualTo("quotas[0].metric");

        JsonNode limit = refused(admin().get("api/keys?limit=0"), 400);
        assertThat(limit.path("param").asText()).isEqualTo("limit");
    }

    @Test
    void keysArePagedForAKeymaster() throws Exception {
        Key keymaster = admin().createKey(fields("name", unique("km-pages"), "role", "keymaster"));
        ApiClient asKeymaster = admin().as(keymaster);
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            created.add(asKeymaster.createKey(fields("name", unique("page-" + i))).id());
        }

        JsonNode first = asKeymaster.getJson("api/keys?limit=2");
        JsonNode second = asKeymaster.getJson("api/keys?limit=2&offset=2");

        assertThat(first.path("total").asLong()).isEqualTo(3);
        assertThat(first.path("limit").asInt()).isEqualTo(2);
        assertThat(first.path("offset").asInt()).isZero();
        assertThat(first.path("data").size()).isEqualTo(2);
        assertThat(second.path("total").asLong()).isEqualTo(3);
        assertThat(second.path("offset").asInt()).isEqualTo(2);
        assertThat(second.path("data").size()).isEqualTo(1);
        List<Long> seen = new ArrayList<>(ids(first));
        seen.addAll(ids(second));
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
    }

    // ---------------------------------------------------------------- 8. OpenAPI and docs

    @Test
    void openApiDocumentAndDocsPageNeedNoKey() throws Exception {
        ApiClient anonymous = admin().as((String) null);

        HttpResponse<String> document = anonymous.get("api/openapi.json");
        HttpResponse<String> docs = anonymous.get("docs/");

        assertThat(document.statusCode()).isEqualTo(200);
        JsonNode paths = ApiClient.parse(document).path("paths");
        assertThat(paths.has("/v1/chat/completions")).as(document.body()).isTrue();
        assertThat(paths.path("/v1/chat/completions").path("post").path("requestBody").path("content")
                .has("application/json")).as("the inference endpoints document their JSON body").isTrue();
        assertThat(paths.has("/api/keys")).isTrue();
        assertThat(paths.has("/api/health")).isTrue();
        // operations are grouped by resource, not all under "default"
        assertThat(paths.path("/v1/chat/completions").path("post").path("tags").toString()).contains("OpenAI: inference");
        assertThat(paths.path("/api/keys").path("get").path("tags").toString()).contains("Keys");
        java.util.List<String> tags = new java.util.ArrayList<>();
        ApiClient.parse(document).path("tags").forEach(t -> tags.add(t.path("name").asText()));
        assertThat(tags).contains("OpenAI: inference", "OpenAI: models", "Teams", "Keys", "Providers", "Observing")
                .doesNotContain("default");
        paths.fields().forEachRemaining(path -> java.util.List.of("get", "post", "put", "patch", "delete").forEach(method -> {
            if (path.getValue().has(method)) {
                assertThat(path.getValue().path(method).path("tags").size()).as(method + " " + path.getKey()).isPositive();
            }
        }));
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(docs.body()).contains("<html").contains("swagger-ui");
        Matcher script = Pattern.compile("src=\"\\.\\./(webjars/[^\"]+\\.js)\"").matcher(docs.body());
        assertThat(script.find()).as("the page loads Swagger UI from a webjar").isTrue();
        assertThat(anonymous.get(script.group(1)).statusCode()).as(script.group(1)).isEqualTo(200);
    }

    // ---------------------------------------------------------------- 9. first run and sign-in

    @Test
    void setupIsClosedOnceAnAdminKeyExists() throws Exception {
        ApiClient anonymous = admin().as((String) null);

        HttpResponse<String> state = anonymous.get("api/setup");
        HttpResponse<String> setup = anonymous.post("api/setup", "{\"setup_token\":\"wrong-token\",\"name\":\"intruder\"}");

        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(ApiClient.parse(state).toString()).isEqualTo("{\"setup_pending\":false}");
        assertThat(refused(setup, 409).path("code").asText()).isEqualTo("conflict");
    }

    @Test
    void consoleSignInAcceptsAdminAndKeymasterKeysOnly() throws Exception {
        FromAddress anonymous = new FromAddress(deployment, "127.0.0.31");
        Key keymaster = admin().createKey(fields("name", unique("km-signin"), "role", "keymaster"));
        Key inferrer = admin().createKey(fields("name", unique("inf-signin")));

        FromAddress.Answer asAdmin = anonymous.post("api/session", null, ApiClient.json(fields("key", GatewayClient.ADMIN_KEY)));
        FromAddress.Answer asKeymaster = anonymous.post("api/session", null, ApiClient.json(fields("key", keymaster.secret())));
        FromAddress.Answer asInferrer = anonymous.post("api/session", null, ApiClient.json(fields("key", inferrer.secret())));
        FromAddress.Answer wrong = anonymous.post("api/session", null, ApiClient.json(fields("key", "tr-wrong-" + unique("k"))));

        assertThat(asAdmin.status()).as(asAdmin.body()).isEqualTo(201);
        JsonNode admin = GatewayClient.json(asAdmin.body());
        assertThat(admin.path("role").asText()).isEqualTo("admin");
        assertThat(admin.path("key_id").asLong()).isEqualTo(bootstrapAdminId());
        assertThat(asKeymaster.status()).isEqualTo(201);
        JsonNode km = GatewayClient.json(asKeymaster.body());
        assertThat(km.path("role").asText()).isEqualTo("keymaster");
        assertThat(km.path("key_id").asLong()).isEqualTo(keymaster.id());
        assertThat(km.path("name").asText()).isEqualTo(keymaster.name());
        assertThat(asInferrer.status()).isEqualTo(403);
        assertThat(GatewayClient.json(asInferrer.body()).path("error").path("code").asText()).isEqualTo("insufficient_permissions");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(GatewayClient.json(wrong.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void signInWritesTheRoleAsTheApiDoesElsewhere() throws Exception {
        FromAddress anonymous = new FromAddress(deployment, "127.0.0.32");
        Key keymaster = admin().createKey(fields("name", unique("km-signin"), "role", "keymaster"));

        FromAddress.Answer asAdmin = anonymous.post("api/session", null, ApiClient.json(fields("key", GatewayClient.ADMIN_KEY)));
        FromAddress.Answer asKeymaster = anonymous.post("api/session", null, ApiClient.json(fields("key", keymaster.secret())));

        assertThat(asAdmin.status()).isEqualTo(201);
        assertThat(GatewayClient.json(asAdmin.body()).path("role").asText())
                .isEqualTo(admin().getJson("api/me").path("role").asText()).isEqualTo("admin");
        assertThat(asKeymaster.status()).isEqualTo(201);
        assertThat(GatewayClient.json(asKeymaster.body()).path("role").asText()).isEqualTo("keymaster");
    }

    // ---------------------------------------------------------------- helpers

    /** Asserts the status and the OpenAI error envelope with a message, and returns the {@code error} object. */
    private static JsonNode refused(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode error = GatewayClient.error(response);
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isNotBlank();
        return error;
    }

    private long bootstrapAdminId() throws Exception {
        JsonNode me = admin().getJson("api/me");
        assertThat(me.path("role").asText()).isEqualTo("admin");
        return me.path("key").path("id").asLong();
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.path("data").forEach(k -> ids.add(k.path("id").asLong()));
        return ids;
    }

    /** Repeats {@code call} until it answers {@code status}, for at most the key cache bound. */
    private static HttpResponse<String> awaitStatus(java.util.concurrent.Callable<HttpResponse<String>> call, int status) {
        return Waits.await("HTTP " + status, CACHE_BOUND).pollInterval(Duration.ofMillis(200))
                .until(call, response -> response.statusCode() == status);
    }
}
