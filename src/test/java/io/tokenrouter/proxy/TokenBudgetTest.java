package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What a request reserves against token quotas: issue 8 items 1 and 2 (overflow, understated maxima). */
class TokenBudgetTest {

    private static final long DEFAULT = 4096;
    private static final long CEILING = 262_144;

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static long completion(String json) throws Exception {
        return completion(Endpoint.CHAT_COMPLETIONS, body(json));
    }

    private static long completion(Endpoint endpoint, ObjectNode body) {
        return TokenBudget.perChoice(endpoint, body, DEFAULT, CEILING) * TokenBudget.choices(endpoint, body);
    }

    @ParameterizedTest(name = "max_completion_tokens {0}")
    @ValueSource(strings = {"9223372036854775807", "9223372036854775806", "100000000000000000000000000000", "262145"})
    void aHugeMaximumIsCappedAtTheCeilingAndNeverWraps(String max) throws Exception {
        String json = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":" + max + "}";
        assertThat(completion(json)).isEqualTo(CEILING);
    }

    @Test
    void theHugestRequestStillReservesAPositiveBoundedAmount() throws Exception {
        String json = "{\"prompt\":\"x\",\"max_tokens\":9223372036854775807,\"n\":128,\"best_of\":128}";
        assertThat(completion(json)).isEqualTo(CEILING * 128).isLessThan(Long.MAX_VALUE / 1024);
    }

    @Test
    void theLargestOfTheThreeMaximaCounts() throws Exception {
        assertThat(completion("{\"max_completion_tokens\":10,\"max_tokens\":500,\"max_output_tokens\":20}")).isEqualTo(500);
        assertThat(completion("{\"max_tokens\":10,\"max_output_tokens\":900}")).isEqualTo(900);
        assertThat(completion("{\"max_completion_tokens\":0}")).isZero();
    }

    @Test
    void withoutAMaximumTheDefaultIsReserved() throws Exception {
        assertThat(completion("{\"max_tokens\":null}")).isEqualTo(DEFAULT);
        assertThat(completion("{}")).isEqualTo(DEFAULT);
    }

    @ParameterizedTest(name = "n {0}, best_of {1} -> {2} choices")
    @CsvSource({"1, 1, 1", "4, 1, 4", "2, 5, 5", "128, 1, 128"})
    void everyChoiceIsReserved(int n, int bestOf, int choices) throws Exception {
        assertThat(completion("{\"max_tokens\":100,\"n\":" + n + ",\"best_of\":" + bestOf + "}")).isEqualTo(100L * choices);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"max_tokens\":\"100000\"}", "{\"max_completion_tokens\":\"lots\"}",
            "{\"max_output_tokens\":12.5}", "{\"max_tokens\":-1}", "{\"max_tokens\":true}", "{\"max_tokens\":[1]}",
            "{\"n\":0}", "{\"n\":\"3\"}", "{\"n\":129}", "{\"best_of\":1e3}", "{\"best_of\":-5}",
            "{\"n\":9223372036854775807}"})
    void aValueThatIsNotAWholeNumberInRangeIsRefusedWith400(String json) {
        assertThatThrownBy(() -> completion(json)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isIn("max_tokens", "max_completion_tokens", "max_output_tokens", "n", "best_of");
        });
    }

    @Test
    void embeddingsReserveTheirInputOnly() throws Exception {
        ObjectNode body = body("{\"input\":\"hello world\",\"max_tokens\":\"ignored\"}");
        assertThat(completion(Endpoint.EMBEDDINGS, body)).isZero();
    }

    /** A legacy completion's batch generates n choices for each of its prompts; one array of token ids is one prompt. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"prompt":"one","max_tokens":1000}                          | 1000
            {"prompt":["a","b","c"],"max_tokens":1000}                  | 3000
            {"prompt":["a","b","c"],"max_tokens":1000,"n":2}            | 6000
            {"prompt":[[1,2],[3,4]],"max_tokens":1000}                  | 2000
            {"prompt":[1,2,3,4,5],"max_tokens":1000}                    | 1000
            """)
    void everyPromptOfABatchIsReserved(String json, long reserved) throws Exception {
        assertThat(completion(Endpoint.COMPLETIONS, body(json))).isEqualTo(reserved);
    }

    @Test
    void additionSaturates() {
        assertThat(TokenBudget.saturatedAdd(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(TokenBudget.saturatedAdd(Long.MAX_VALUE - 5, 10)).isEqualTo(Long.MAX_VALUE);
        assertThat(TokenBudget.saturatedAdd(40, 2)).isEqualTo(42);
    }
}
