package io.tokenrouter.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The error envelopes of both APIs, and each rewritten into the other. */
class ErrorBodyTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"400, invalid_request_error", "401, authentication_error", "403, permission_error", "404, not_found_error",
            "413, request_too_large", "429, rate_limit_error", "500, api_error", "502, api_error",
            "503, overloaded_error", "529, overloaded_error", "504, timeout_error"})
    void anthropicErrorTypesFollowTheStatus(int status, String type) {
        assertThat(ErrorBody.anthropicType(status)).isEqualTo(type);
    }

    @Test
    void theGatewaysOwnErrorBecomesAnthropicsEnvelopeWithItsCode() throws Exception {
        byte[] openAi = ErrorBody.bytes(new GatewayException(429, "rate_limit_error", "quota_exceeded", null, "Quota used up."));

        JsonNode anthropic = Json.parse(ErrorBody.toAnthropic(openAi, 429));

        assertThat(anthropic.path("type").asText()).isEqualTo("error");
        assertThat(anthropic.path("error").path("type").asText()).isEqualTo("rate_limit_error");
        assertThat(anthropic.path("error").path("message").asText()).isEqualTo("quota_exceeded: Quota used up.");
    }

    @Test
    void anAnthropicEnvelopeStaysAsItIsAndAnythingElseIsWrapped() throws Exception {
        byte[] native_ = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(ErrorBody.toAnthropic(native_, 529)).isSameAs(native_);

        JsonNode wrapped = Json.parse(ErrorBody.toAnthropic("<html>Bad Gateway</html>".getBytes(StandardCharsets.UTF_8), 502));
        assertThat(wrapped.path("error").path("type").asText()).isEqualTo("api_error");
        assertThat(wrapped.path("error").path("message").asText()).isEqualTo("<html>Bad Gateway</html>");
    }

    @Test
    void anAnthropicEnvelopeBecomesOpenAisForChatClients() throws Exception {
        JsonNode anthropic = Json.parse("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: too large\"}}");

        JsonNode openAi = ErrorBody.fromAnthropic(anthropic, 400);

        assertThat(openAi.path("error").path("message").asText()).isEqualTo("max_tokens: too large");
        assertThat(openAi.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(openAi.path("error").path("code").asText()).isEqualTo("invalid_request_error");
        assertThat(ErrorBody.fromAnthropic(Json.parse("{\"error\":{\"message\":\"x\"}}"), 400)).isNull();
    }
}
