package io.tokenrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.upstream.AuthStyle;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Where a provider's endpoints are, and what its key becomes on the wire. */
class ProviderTargetTest {

    private static ProviderTarget target(String base, AuthStyle style) {
        return new ProviderTarget("p", URI.create(base), "the-key", style, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void anEndpointGoesBelowTheBaseUrlAndBeforeItsQuery() {
        assertThat(target("https://api.example.com/v1", AuthStyle.BEARER).resolve("chat/completions"))
                .hasToString("https://api.example.com/v1/chat/completions");
        assertThat(target("https://api.example.com/v1/", AuthStyle.BEARER).resolve("models"))
                .hasToString("https://api.example.com/v1/models");
        ProviderTarget sap = target("https://api.ai.example.com/v2/inference/deployments/d1?api-version=2023-05-15",
                AuthStyle.SERVICE_KEY);
        assertThat(sap.resolve("chat/completions"))
                .hasToString("https://api.ai.example.com/v2/inference/deployments/d1/chat/completions?api-version=2023-05-15");
        assertThat(sap.resolve("models?limit=1000"))
                .hasToString("https://api.ai.example.com/v2/inference/deployments/d1/models?limit=1000&api-version=2023-05-15");
    }

    @Test
    void aServiceKeyIsNeverSentAsItIs() {
        assertThat(target("https://x", AuthStyle.SERVICE_KEY).authHeaders()).isEmpty();
        assertThat(AuthStyle.SERVICE_KEY.exchanged()).isTrue();
        assertThat(target("https://x", AuthStyle.BEARER).authHeaders()).containsEntry("Authorization", "Bearer the-key");
    }

    @Test
    void aServiceKeyOnSeveralLinesIsStoredOnOne() {
        assertThat(ProviderKeys.clean("p", "{\n  \"clientid\": \"sb-a!b1|aicore!b2\",\n  \"clientsecret\": \"s=\",\n"
                + "  \"url\": \"https://x\"\n}\n")).isEqualTo("{\"clientid\":\"sb-a!b1|aicore!b2\",\"clientsecret\":\"s=\","
                + "\"url\":\"https://x\"}");
        assertThat(ProviderKeys.clean("p", "{notjson}")).isEqualTo("{notjson}");
    }
}
