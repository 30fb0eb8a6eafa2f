package io.tokenrouter.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

class WebApplicationExceptionMapperTest {

    private final WebApplicationExceptionMapper mapper = new WebApplicationExceptionMapper();

    private static JsonNode error(Response response) throws Exception {
        JsonNode body = GatewayExceptionMapperTest.body(response);
        assertThat(body.size()).isEqualTo(1);
        JsonNode error = body.get("error");
        assertThat(error).isNotNull();
        assertThat(error.size()).as("keys of %s", error).isEqualTo(4);
        assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code")).isTrue();
        return error;
    }

    @Test
    void answersAnUnknownUrlWith404UnknownUrl() throws Exception {
        Response response = mapper.toResponse(new NotFoundException());

        JsonNode error = error(response);
        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getMediaType()).isEqualTo(MediaType.APPLICATION_JSON_TYPE);
        assertThat(error.get("code").asText()).isEqualTo("unknown_url");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("message").asText()).isEqualTo("Unknown request URL. Please check the URL for typos.");
    }

    @Test
    void answersAWrongMethodWith405KeepingTheAllowHeader() throws Exception {
        Response response = mapper.toResponse(new NotAllowedException("POST", new String[] {"OPTIONS"}));

        JsonNode error = error(response);
        assertThat(response.getStatus()).isEqualTo(405);
        assertThat(response.getAllowedMethods()).containsExactlyInAnyOrder("POST", "OPTIONS");
        assertThat(response.getHeaderString("Allow")).contains("POST").contains("OPTIONS");
        assertThat(error.get("code").asText()).isEqualTo("method_not_allowed");
        assertThat(error.get("message").asText()).contains("POST");
    }

    @Test
    void answersAWrongContentTypeWith415() throws Exception {
        Response response = mapper.toResponse(new NotSupportedException());

        assertThat(response.getStatus()).isEqualTo(415);
        assertThat(error(response).get("code").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void answersOtherStatusesWithNullCodeAndTheReasonPhrase() throws Exception {
        Response response = mapper.toResponse(new NotAcceptableException());

        JsonNode error = error(response);
        assertThat(response.getStatus()).isEqualTo(406);
        assertThat(error.get("code").isNull()).isTrue();
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("message").asText()).startsWith("Not Acceptable");
        assertThat(response.getHeaderString("Allow")).isNull();
    }

    @Test
    void answersAnUnknownStatusWithItsNumber() throws Exception {
        Response response = mapper.toResponse(new WebApplicationException((String) null, 499));

        assertThat(response.getStatus()).isEqualTo(499);
        assertThat(error(response).get("message").asText()).isEqualTo("HTTP 499");
    }
}
