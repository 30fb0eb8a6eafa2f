package io.tokenrouter.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.api.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusViewTest {

    /** Chart labels are what clients sent (model names of refused requests, key names): never markup in the page's script. */
    @Test
    void chartJsonCannotCloseTheScriptItStandsIn() throws Exception {
        String label = "</script><img src=x onerror=alert(1)> & \u2028";
        String json = StatusView.scriptSafe(Json.text(Map.of("label", label)));
        assertThat(json).doesNotContain("<").doesNotContain(">").doesNotContain("&").doesNotContain("\u2028");
        assertThat(Json.MAPPER.readTree(json).path("label").asText()).isEqualTo(label);
    }
}
