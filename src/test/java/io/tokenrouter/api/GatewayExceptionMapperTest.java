package io.tokenrouter.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayExceptionMapperTest {

    static JsonNode body(Response response) throws Exception {
        assertThat(response.getEntity()).isInstanceOf(byte[].class);
        return Json.parse((byte[]) response.getEntity());
    }

    @Test
    void writesTheOpenAiErrorEnvelopeWithTheStatus() throws Exception {
        Response response = new GatewayExceptionMapper().toResponse(GatewayException.modelNotAllowed("openai/o3"));

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getMediaType()).isEqualTo(MediaType.APPLICATION_JSON_TYPE);
        assertThat(body(response)).isEqualTo(Json.parse("""
                {"error": {"message": "The model 'openai/o3' is not allowed for this key.",
                           "type": "invalid_request_error", "param": "model", "code": "model_not_allowed"}}"""));
        assertThat(response.getHeaderString("Retry-After")).isNull();
    }

    @Test
    void keepsNullParamAndCodeAsNullKeys() throws Exception {
        Response response = new GatewayExceptionMapper()
                .toResponse(new GatewayException(500, "server_error", null, null, "Boom."));

        JsonNode error = body(response).get("error");
        assertThat(body(response).size()).isEqualTo(1);
        assertThat(error.size()).isEqualTo(4);
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.has("code")).isTrue();
        assertThat(error.get("code").isNull()).isTrue();
        assertThat(error.get("message").asText()).isEqualTo("Boom.");
        assertThat(error.get("type").asText()).isEqualTo("server_error");
        assertThat(response.getStatus()).isEqualTo(500);
    }

    @ParameterizedTest(name = "retry after {0} ms -> {1} s")
    @CsvSource({
            "1, 1",
            "999, 1",
            "1000, 1",
            "1001, 2",
            "1500, 2",
            "30000, 30",
            "59001, 60",
    })
    void roundsRetryAfterUpToWholeSeconds(long millis, String seconds) {
        GatewayException e = new GatewayException(429, "rate_limit_error", "rate_limit_exceeded", null,
                "Slow down.", Duration.ofMillis(millis), null);

        Response response = GatewayExceptionMapper.toResponseOf(e);

        assertThat(response.getStatus()).isEqualTo(429);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo(seconds);
    }
}
