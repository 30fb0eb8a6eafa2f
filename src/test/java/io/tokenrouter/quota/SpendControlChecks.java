package io.tokenrouter.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.Reply;
import io.tokenrouter.testing.ScriptedUpstream;
import io.tokenrouter.testing.UpstreamExtension;
import io.tokenrouter.testing.Waits;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Spend control end to end, through a running gateway: 40 concurrent requests never spend past a token
 * quota with token-id arrays, nor past a budget in money whatever the provider reports; per-minute limits
 * answer with the headers OpenAI clients read; what cannot be metered or priced is refused. Run against
 * the embedded H2 database ({@link SpendControlIT}) and against PostgreSQL ({@link SpendControlPostgresIT}).
 */
abstract class SpendControlChecks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARALLEL = 40;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The gateway's address, ending in a slash. */
    abstract URI gateway();

    abstract String adminKey();

    static ScriptedUpstream upstream() {
        return UpstreamExtension.upstream();
    }

    private HttpResponse<String> call(String method, String path, String secret, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway().resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json");
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An inferrer key with these quotas; {id, secret}. */
    private String[] key(String quotas) throws Exception {
        HttpResponse<String> created = call("POST", "api/keys", adminKey(), "{\"name\":\"spend-" + UUID.randomUUID()
                + "\",\"role\":\"inferrer\",\"quotas\":" + quotas + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        return new String[] {body.path("details").path("id").asText(), body.path("key").asText()};
    }

    private JsonNode quota(String keyId, String metric) throws Exception {
        for (JsonNode q : JSON.readTree(call("GET", "api/keys/" + keyId, adminKey(), null).body()).path("quotas")) {
            if (q.path("metric").asText().equals(metric)) {
                return q;
            }
        }
        throw new AssertionError("no " + metric + " quota on key " + keyId);
    }

    private List<HttpResponse<String>> inParallel(Callable<HttpResponse<String>> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return request.call();
                }));
            }
            start.countDown();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String ids(int count) {
        return IntStream.range(0, count).mapToObj(i -> Integer.toString(1 + i % 9)).collect(Collectors.joining(","));
    }

    /** An embeddings answer whose usage is what the provider would count: every token id of the input. */
    private static Reply embeddingsCountingIds(ScriptedUpstream.Received request) {
        long ids = 0;
        try {
            for (JsonNode array : JSON.readTree(request.body()).path("input")) {
                ids += array.size();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Reply.json(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1]}],"
                + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":" + ids + ",\"total_tokens\":" + ids + "}}");
    }

    /**
     * Issue 25 item 1: four arrays of 4,000 token ids are 16,000 tokens, refused by a 1,000-token quota however
     * many are sent at once; arrays that fit are charged what the provider counts, and never past the quota.
     */
    @Test
    void tokenIdArraysNeverSpendPastATokenQuota() throws Exception {
        String[] key = key("[{\"metric\":\"tokens\",\"period\":\"total\",\"limit\":1000}]");
        upstream().answerAll(request -> request.path().endsWith("/embeddings") ? embeddingsCountingIds(request)
                : DefaultReplies.forRequest(request));
        String big = "{\"model\":\"mock/text-embedding-3-small\",\"input\":[[" + ids(4000) + "],[" + ids(4000) + "],["
                + ids(4000) + "],[" + ids(4000) + "]]}";

        List<HttpResponse<String>> answers = inParallel(() -> call("POST", "v1/embeddings", key[1], big));

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.statusCode()).as(a.body()).isEqualTo(429);
            assertThat(a.body()).contains("token quota of key").contains("may use up to");
        });
        assertThat(quota(key[0], "tokens").path("used").asLong()).isZero();

        String small = "{\"model\":\"mock/text-embedding-3-small\",\"input\":[[" + ids(150) + "]]}";
        List<HttpResponse<String>> fitting = inParallel(() -> call("POST", "v1/embeddings", key[1], small));

        long answered = fitting.stream().filter(a -> a.statusCode() == 200).count();
        assertThat(fitting).allSatisfy(a -> assertThat(a.statusCode()).as(a.body()).isIn(200, 429));
        assertThat(answered).isBetween(1L, 6L);
        JsonNode tokens = quota(key[0], "tokens");
        assertThat(tokens.path("used").asLong()).isEqualTo(150 * answered).isLessThanOrEqualTo(1000);
        assertThat(tokens.path("reserved").asLong()).isZero();
    }

    /**
     * Budgets in money: 40 chats at once on a one-cent budget, whose provider claims 100,000 completion tokens
     * for a max_tokens of 100: each is charged at most what it could cost (10 prompt and 100 completion tokens
     * at $2.50 and $10 per million: $0.001025), the answer says so, and the budget is never exceeded.
     */
    @Test
    void aBudgetIsNeverExceededWhateverTheProviderReports() throws Exception {
        String[] key = key("[{\"metric\":\"cost\",\"period\":\"month\",\"limit\":0.01}]");
        String answer = DefaultReplies.chat("gpt-4o", "Hello!").replaceFirst("\"usage\":\\{[^}]*\\{[^}]*\\},\\s*\"completion_tokens_details\":\\{[^}]*\\}\\}",
                "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":100000,\"total_tokens\":100010}");
        assertThat(answer).contains("\"completion_tokens\":100000");
        upstream().answerAll(request -> request.path().endsWith("/chat/completions") ? Reply.json(200, answer)
                : DefaultReplies.forRequest(request));
        String chat = "{\"model\":\"mock/gpt-4o\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        List<HttpResponse<String>> answers = inParallel(() -> call("POST", "v1/chat/completions", key[1], chat));

        List<HttpResponse<String>> answered = answers.stream().filter(a -> a.statusCode() == 200).toList();
        assertThat(answers).allSatisfy(a -> assertThat(a.statusCode()).as(a.body()).isIn(200, 429));
        assertThat(answered).hasSizeBetween(1, 9).allSatisfy(a ->
                assertThat(a.headers().firstValue("x-tokenrouter-cost")).hasValue("0.001025"));
        assertThat(answers).filteredOn(a -> a.statusCode() == 429).allSatisfy(a -> {
            assertThat(a.body()).contains("cost budget of key").contains("$");
            assertThat(a.headers().firstValue("x-ratelimit-limit-cost")).hasValue("0.01");
        });
        JsonNode budget = quota(key[0], "cost");
        BigDecimal used = budget.path("used").decimalValue();
        assertThat(used).isEqualByComparingTo(new BigDecimal("0.001025").multiply(BigDecimal.valueOf(answered.size())));
        assertThat(used).isLessThanOrEqualTo(new BigDecimal("0.01"));
        assertThat(budget.path("reserved").decimalValue()).isZero();
        // the provider's impossible figure is recorded as its fault, charged at the bound
        JsonNode log = JSON.readTree(call("GET", "api/logs?key_id=" + key[0] + "&limit=50", adminKey(), null).body());
        assertThat(log.path("data")).isNotEmpty().anySatisfy(row -> {
            assertThat(row.path("error_type").asText()).isEqualTo("upstream_usage_implausible");
            assertThat(row.path("completion_tokens").asLong()).isEqualTo(100);
        });
    }

    /** A per-minute limit refuses with Retry-After and the x-ratelimit headers OpenAI clients read. */
    @Test
    void aPerMinuteLimitAnswersWithTheHeadersClientsRead() throws Exception {
        String[] key = key("[{\"metric\":\"requests\",\"period\":\"minute\",\"limit\":3}]");
        String chat = "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        int answered = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 5 && refused == null; i++) {
            HttpResponse<String> r = call("POST", "v1/chat/completions", key[1], chat);
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                answered++;
            }
        }
        // three fit in one minute; a minute that turned while sending may allow up to three more
        assertThat(answered).isBetween(3, 5);
        if (refused != null) {
            assertThat(refused.body()).contains("per-minute request quota of key");
            assertThat(refused.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
            assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
            assertThat(refused.headers().firstValue("x-ratelimit-reset-requests").orElseThrow()).matches("\\d{1,2}s");
            assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        }
    }

    /** Issue 25 item 4: what the gateway cannot meter is refused, until an admin allows it for the key. */
    @Test
    void whatCannotBeMeteredIsRefusedUntilAllowed() throws Exception {
        String[] key = key("[{\"metric\":\"tokens\",\"period\":\"day\",\"limit\":100000}]");
        String background = "{\"model\":\"mock/gpt-4o\",\"input\":\"write a novel\",\"background\":true}";

        HttpResponse<String> refused = call("POST", "v1/responses", key[1], background);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("unmetered_cost_not_allowed");
        assertThat(error.path("param").asText()).isEqualTo("background");
        assertThat(upstream().received()).noneMatch(r -> r.path().endsWith("/responses"));

        HttpResponse<String> allowed = call("PATCH", "api/keys/" + key[0], adminKey(), "{\"unmetered\":[\"background\"]}");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(JSON.readTree(allowed.body()).path("unmetered").toString()).isEqualTo("[\"background\"]");
        HttpResponse<String> forwarded = Waits.await("the key's cached view to follow", Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> call("POST", "v1/responses", key[1], background), r -> r.statusCode() != 403);
        assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
    }

    /** A model without a price is refused under a budget, naming it, rather than being free. */
    @Test
    void aModelWithoutAPriceIsRefusedUnderABudget() throws Exception {
        String[] key = key("[{\"metric\":\"cost\",\"period\":\"day\",\"limit\":5}]");
        call("DELETE", "api/prices?provider=mock&model=acme/some-model", adminKey(), null); // a price of an earlier run
        HttpResponse<String> refused = call("POST", "v1/chat/completions", key[1],
                "{\"model\":\"mock/acme/some-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("price_missing");
        assertThat(error.path("message").asText()).contains("'mock/acme/some-model' has no price");

        HttpResponse<String> priced = call("PUT", "api/prices", adminKey(),
                "{\"provider\":\"mock\",\"model\":\"acme/some-model\",\"input_micros\":1000000,\"output_micros\":2000000}");
        assertThat(priced.statusCode()).as(priced.body()).isEqualTo(200);
        HttpResponse<String> answered = call("POST", "v1/chat/completions", key[1],
                "{\"model\":\"mock/acme/some-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        // 12 prompt and 3 completion tokens at $1 and $2 per million
        assertThat(answered.headers().firstValue("x-tokenrouter-cost")).hasValue("0.000018");
        HttpResponse<String> removed = call("DELETE", "api/prices?provider=mock&model=acme/some-model", adminKey(), null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(call("DELETE", "api/prices?provider=mock&model=acme/some-model", adminKey(), null).statusCode())
                .isEqualTo(404);
    }
}
