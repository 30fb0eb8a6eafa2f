package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Json;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** A Messages API body: only its model and, under a token limit, its completion maximum are the gateway's. */
class AnthropicAdapterTest {

    private static final URI ANTHROPIC = URI.create("https://api.anthropic.com/v1");

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) Json.parse(json.replace('\'', '"'));
    }

    @Test
    void theModelIsSetAndNothingElseChanges() throws Exception {
        ObjectNode body = body("{'model':'smart','max_tokens':100,'stream':true,'messages':[]}");
        String before = body.toString().replace("smart", "claude-sonnet-4-5");

        boolean added = AnthropicAdapter.INSTANCE.prepare(body, "claude-sonnet-4-5", Endpoint.MESSAGES, true);

        assertThat(added).as("no usage event of the gateway's own").isFalse();
        assertThat(body.toString()).isEqualTo(before);
    }

    @Test
    void aMaximumAboveWhatWasReservedIsLoweredWithItsThinkingBudget() throws Exception {
        ObjectNode body = body("{'max_tokens':32000,'thinking':{'type':'enabled','budget_tokens':31999},'messages':[]}");

        AnthropicAdapter.INSTANCE.capCompletion(body, Endpoint.MESSAGES, 8000, ANTHROPIC);

        assertThat(body.path("max_tokens").asLong()).isEqualTo(8000);
        assertThat(body.path("thinking").path("budget_tokens").asLong()).isEqualTo(7999);
    }

    @Test
    void thinkingIsLeftOutWhenNoBudgetTheApiTakesFitsBelowTheMaximum() throws Exception {
        ObjectNode body = body("{'max_tokens':32000,'thinking':{'type':'enabled','budget_tokens':31999},'messages':[]}");

        AnthropicAdapter.INSTANCE.capCompletion(body, Endpoint.MESSAGES, 1000, ANTHROPIC);

        assertThat(body.path("max_tokens").asLong()).isEqualTo(1000);
        assertThat(body.has("thinking")).isFalse();
    }

    @Test
    void onlyAMessageDeltaOrAWholeMessageReportsTheWholeAnswer() throws Exception {
        assertThat(AnthropicAdapter.INSTANCE.completesUsage(body("{'type':'message_start','message':{'usage':{}}}"))).isFalse();
        assertThat(AnthropicAdapter.INSTANCE.completesUsage(body("{'type':'message_delta','usage':{}}"))).isTrue();
        assertThat(AnthropicAdapter.INSTANCE.completesUsage(body("{'type':'message','usage':{}}"))).isTrue();
    }

    @Test
    void aMissingOrSmallerMaximumIsSetOrKept() throws Exception {
        ObjectNode missing = body("{'messages':[]}");
        AnthropicAdapter.INSTANCE.capCompletion(missing, Endpoint.MESSAGES, 4096, ANTHROPIC);
        assertThat(missing.path("max_tokens").asLong()).isEqualTo(4096);

        ObjectNode smaller = body("{'max_tokens':50,'thinking':{'type':'enabled','budget_tokens':1024},'messages':[]}");
        AnthropicAdapter.INSTANCE.capCompletion(smaller, Endpoint.MESSAGES, 4096, ANTHROPIC);
        assertThat(smaller.path("max_tokens").asLong()).isEqualTo(50);
        assertThat(smaller.path("thinking").path("budget_tokens").asLong()).isEqualTo(1024);

        ObjectNode count = body("{'messages':[]}");
        AnthropicAdapter.INSTANCE.capCompletion(count, Endpoint.COUNT_TOKENS, 4096, ANTHROPIC);
        assertThat(count.has("max_tokens")).as("a token count generates nothing").isFalse();
    }
}
