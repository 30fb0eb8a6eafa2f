package io.tokenrouter.access;

import io.tokenrouter.store.Role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Issue 25 item 4: what a provider bills that no usage figure shows is refused unless an admin allowed it. */
class UnmeteredTest {

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Caller caller(Role role, Set<String> unmetered) {
        return new Caller(7, "k", role, null, null, null, null, List.of(7L), Map.of(7L, "k"), List.of(), false, unmetered);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"background\":true,\"input\":\"hi\"}|background",
            "{\"service_tier\":\"priority\"}|service_tier:priority",
            "{\"service_tier\":\"scale\"}|service_tier:scale",
            "{\"tools\":[{\"type\":\"web_search_preview\"}]}|tool:web_search",
            "{\"web_search_options\":{}}|tool:web_search",
            "{\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[\"vs\"]}]}|tool:file_search",
            "{\"tools\":[{\"type\":\"code_interpreter\",\"container\":{\"type\":\"auto\"}}]}|tool:code_interpreter",
            "{\"tools\":[{\"type\":\"image_generation\"}]}|tool:image_generation",
            "{\"tools\":[{\"type\":\"computer_use_preview\"}]}|tool:computer_use",
            "{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"file-1\"}]}]}|files",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]}|files",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_data\":\"data:application/pdf;base64,JVBERi0=\"}}]}]}|files",
            "{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_data\":\"JVBERi0=\"}]}]}|files",
            "{\"tools\":[{\"type\":\"mcp\",\"server_url\":\"https://mcp.example\"}]}|tool:mcp",
            "{\"prompt\":{\"id\":\"pmpt_1\"}}|prompt_template",
            "{\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}|tool:web_search",
            "{\"tools\":[{\"type\":\"code_execution_20250825\",\"name\":\"code_execution\"}]}|tool:code_interpreter",
            "{\"tools\":[{\"type\":\"web_fetch_20250910\",\"name\":\"web_fetch\"}]}|tool:web_fetch",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/a.pdf\"}}]}]}]}|files",
            "{\"mcp_servers\":[{\"type\":\"url\",\"url\":\"https://mcp.example\",\"name\":\"m\"}]}|tool:mcp",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBERi0=\"}}]}]}|files"})
    void anUnmeterableCostIsRefusedWith403NamingIt(String json, String cost) throws Exception {
        ObjectNode request = body(json);
        assertThat(Unmetered.incurredBy(request)).containsExactly(cost);
        assertThatThrownBy(() -> Unmetered.check(caller(Role.INFERRER, Set.of()), request))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("unmetered_cost_not_allowed");
                    assertThat(e.getMessage()).contains("(" + cost + ")").contains("administrator can allow");
                });
        Unmetered.check(caller(Role.INFERRER, Set.of(cost)), request);
        Unmetered.check(caller(Role.ADMIN, Set.of()), request);
    }

    /** Anthropic's 1M-token context is billed at premium prices past 200K tokens, which no price here shows. */
    @org.junit.jupiter.api.Test
    void anthropicsLongContextBetaIsACostToBeAllowed() throws Exception {
        ObjectNode request = body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        String betas = "claude-code-20250219,context-1m-2025-08-07";
        assertThat(Unmetered.incurredByBetas(betas)).containsExactly("long_context");
        assertThat(Unmetered.incurredByBetas("interleaved-thinking-2025-05-14")).isEmpty();
        assertThatThrownBy(() -> Unmetered.check(caller(Role.INFERRER, Set.of()), request, betas))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param()).isEqualTo("anthropic-beta"));
        Unmetered.check(caller(Role.INFERRER, Set.of("long_context")), request, betas);
        Unmetered.check(caller(Role.INFERRER, Set.of()), request, "interleaved-thinking-2025-05-14");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
            + "\"function\":{\"name\":\"f\"}}]}", "{\"service_tier\":\"auto\"}", "{\"service_tier\":\"flex\"}",
            "{\"background\":false}", "{\"prompt\":\"text, not a template\"}", "{\"input\":[[1,2,3]]}",
            "{\"service_tier\":\"standard_only\"}", "{\"tools\":[{\"name\":\"weather\",\"input_schema\":{\"type\":\"object\"}}]}"})
    void meteredRequestsPass(String json) throws Exception {
        assertThat(Unmetered.incurredBy(body(json))).isEmpty();
        Unmetered.check(caller(Role.INFERRER, Set.of()), body(json));
    }

    @Test
    void anAdminNamesOnlyKnownCosts() {
        assertThat(Unmetered.validate(List.of("tool:web_search", "background"))).isEqualTo("background,tool:web_search");
        assertThat(Unmetered.validate(List.of())).isEmpty();
        assertThat(Unmetered.validate(null)).isNull();
        assertThatThrownBy(() -> Unmetered.validate(List.of("everything"))).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.getMessage()).contains("'everything' is not a cost that can be allowed"));
        assertThat(Unmetered.parse("background, tool:web_search,gone")).containsExactly("background", "tool:web_search");
    }
}
