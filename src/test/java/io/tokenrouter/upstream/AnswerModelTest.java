package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.api.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An answer names its model as the client asked for it; every other byte passes through. */
class AnswerModelTest {

    private static String rewrite(String asked, String json, String upstream) {
        return new String(AnswerModel.of(asked).rewrite(json.getBytes(StandardCharsets.UTF_8),
                upstream == null ? null : AnswerModel.quoted(upstream)), StandardCharsets.UTF_8);
    }

    @Test
    void everyModelFieldNamingTheProvidersModelNamesTheAskedOne() {
        assertThat(rewrite("default/held-small", "{\"id\":\"c1\",\"model\":\"held-small\",\"choices\":[]}", "held-small"))
                .isEqualTo("{\"id\":\"c1\",\"model\":\"default/held-small\",\"choices\":[]}");
        assertThat(rewrite("smart", "{\"type\":\"response.created\",\"response\":{\"model\" : \"gpt-4o-2024-08-06\"}}",
                "gpt-4o-2024-08-06")).isEqualTo("{\"type\":\"response.created\",\"response\":{\"model\" : \"smart\"}}");
    }

    @Test
    void textThatOnlyLooksLikeTheFieldIsLeftAlone() {
        String content = "{\"model\":\"held-small\",\"content\":\"say \\\"model\\\":\\\"held-small\\\" please\",\"x\":{\"model\":\"other\"}}";

        assertThat(rewrite("a/held-small", content, "held-small"))
                .isEqualTo("{\"model\":\"a/held-small\",\"content\":\"say \\\"model\\\":\\\"held-small\\\" please\",\"x\":{\"model\":\"other\"}}");
        byte[] same = content.getBytes(StandardCharsets.UTF_8);
        assertThat(AnswerModel.of("x").rewrite(same, null)).isSameAs(same);
        assertThat(AnswerModel.of("x").rewrite(same, AnswerModel.quoted("not-in-it"))).isSameAs(same);
    }

    @Test
    void aProviderNameIsMatchedAsJsonWritesItByDefault() {
        assertThat(rewrite("mine", "{\"model\":\"org\\/m\\u00e9\"}", "org/m\u00e9"))
                .as("a provider that escapes '/' and 'é' otherwise than the gateway would: left as it is")
                .isEqualTo("{\"model\":\"org\\/m\\u00e9\"}");
        assertThat(rewrite("mine", "{\"model\":\"say \\\"hi\\\"\"}", "say \"hi\"")).isEqualTo("{\"model\":\"mine\"}");
    }

    @Test
    void anAskedNameIsWrittenAsAJsonString() throws Exception {
        String out = rewrite("we\"ird\\name", "{\"model\":\"m\"}", "m");

        assertThat(Json.parse(out).path("model").asText()).isEqualTo("we\"ird\\name");
    }

    @Test
    void theProvidersNameIsReadFromAnAnswerOrAResponsesEvent() throws Exception {
        assertThat(AnswerModel.upstreamName(Json.parse("{\"model\":\"gpt-4o\"}"))).isEqualTo("gpt-4o");
        assertThat(AnswerModel.upstreamName(Json.parse("{\"response\":{\"model\":\"o3\"}}"))).isEqualTo("o3");
        assertThat(AnswerModel.upstreamName(Json.parse("{\"choices\":[]}"))).isNull();
    }
}
