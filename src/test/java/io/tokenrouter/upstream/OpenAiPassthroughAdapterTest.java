package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class OpenAiPassthroughAdapterTest {

    private final OpenAiPassthroughAdapter adapter = OpenAiPassthroughAdapter.INSTANCE;

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.parse(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void setsOnlyTheModelAndLeavesUnknownFieldsUntouched() {
        String original = "{'model':'smart','messages':[{'role':'user','content':'hi','x_vendor':{'a':[1,2]}}],"
                + "'temperature':0.2,'tools':[{'type':'function','function':{'name':'f','parameters':{}}}],"
                + "'metadata':{'trace':'abc'},'user':null,'logit_bias':{'50256':-100},'n':2}";
        ObjectNode body = json(original);

        boolean added = adapter.prepare(body, "gpt-4o", Endpoint.CHAT_COMPLETIONS, false);

        ObjectNode expected = json(original);
        expected.put("model", "gpt-4o");
        assertThat(added).isFalse();
        assertThat(body).isEqualTo(expected);
    }

    @Test
    void setsTheModelWhenTheClientSentNone() {
        ObjectNode body = json("{'input':'hello'}");

        adapter.prepare(body, "text-embedding-3-small", Endpoint.EMBEDDINGS, false);

        assertThat(body).isEqualTo(json("{'input':'hello','model':'text-embedding-3-small'}"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Endpoint.class, names = {"CHAT_COMPLETIONS", "COMPLETIONS"})
    void asksForUsageInStreamsThatNeedIt(Endpoint endpoint) {
        ObjectNode body = json("{'model':'m','stream':true,'prompt':'x'}");

        boolean added = adapter.prepare(body, "up", endpoint, true);

        assertThat(added).isTrue();
        assertThat(body).isEqualTo(json("{'model':'up','stream':true,'prompt':'x','stream_options':{'include_usage':true}}"));
    }

    @Test
    void keepsTheOtherFieldsOfAnExistingStreamOptionsObject() {
        ObjectNode body = json("{'model':'m','stream':true,'stream_options':{'include_obfuscation':false,'x':[1]}}");

        boolean added = adapter.prepare(body, "up", Endpoint.CHAT_COMPLETIONS, true);

        assertThat(added).isTrue();
        assertThat(body.get("stream_options"))
                .isEqualTo(json("{'include_obfuscation':false,'x':[1],'include_usage':true}"));
    }

    @Test
    void replacesStreamOptionsThatAreNotAnObject() {
        ObjectNode body = json("{'model':'m','stream':true,'stream_options':null}");

        boolean added = adapter.prepare(body, "up", Endpoint.CHAT_COMPLETIONS, true);

        assertThat(added).isTrue();
        assertThat(body).isEqualTo(json("{'model':'up','stream':true,'stream_options':{'include_usage':true}}"));
    }

    @Test
    void leavesUsageToTheClientThatAlreadyAskedForIt() {
        ObjectNode body = json("{'model':'m','stream':true,'stream_options':{'include_usage':true,'x':1}}");

        boolean added = adapter.prepare(body, "up", Endpoint.CHAT_COMPLETIONS, true);

        assertThat(added).isFalse();
        assertThat(body).isEqualTo(json("{'model':'up','stream':true,'stream_options':{'include_usage':true,'x':1}}"));
    }

    @Test
    void overridesIncludeUsageFalseAndReportsItAsAdded() {
        ObjectNode body = json("{'model':'m','stream':true,'stream_options':{'include_usage':false}}");

        boolean added = adapter.prepare(body, "up", Endpoint.CHAT_COMPLETIONS, true);

        assertThat(added).isTrue();
        assertThat(body.at("/stream_options/include_usage").booleanValue()).isTrue();
    }

    @ParameterizedTest(name = "{0}, stream={1}")
    @CsvSource({
            "RESPONSES, true",
            "EMBEDDINGS, true",
            "EMBEDDINGS, false",
            "RESPONSES, false",
            "CHAT_COMPLETIONS, false",
            "COMPLETIONS, false",
    })
    void neverAddsStreamOptionsOutsideChatAndCompletionsStreams(Endpoint endpoint, boolean stream) {
        ObjectNode body = json("{'model':'m','input':'x'}");

        boolean added = adapter.prepare(body, "up", endpoint, stream);

        assertThat(added).isFalse();
        assertThat(body).isEqualTo(json("{'model':'up','input':'x'}"));
    }

    @Test
    void leavesAClientsStreamOptionsAloneInANonStream() {
        ObjectNode body = json("{'model':'m','stream_options':{'include_usage':false}}");

        assertThat(adapter.prepare(body, "up", Endpoint.CHAT_COMPLETIONS, false)).isFalse();
        assertThat(body).isEqualTo(json("{'model':'up','stream_options':{'include_usage':false}}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            final usage-only chat chunk             | CHAT_COMPLETIONS | {'choices':[],'usage':{'prompt_tokens':1}}               | true
            final usage-only completions chunk      | COMPLETIONS      | {'choices':[],'usage':{'prompt_tokens':1}}               | true
            content chunk with null usage           | CHAT_COMPLETIONS | {'choices':[{'delta':{'content':'x'}}],'usage':null}     | false
            content chunk that carries usage        | CHAT_COMPLETIONS | {'choices':[{'delta':{}}],'usage':{'prompt_tokens':1}}   | false
            empty choices without usage             | CHAT_COMPLETIONS | {'choices':[]}                                           | false
            empty choices with null usage           | CHAT_COMPLETIONS | {'choices':[],'usage':null}                              | false
            usage without choices                   | CHAT_COMPLETIONS | {'usage':{'prompt_tokens':1}}                            | false
            responses endpoint never adds the event | RESPONSES        | {'choices':[],'usage':{'input_tokens':1}}                | false
            """)
    void recognisesTheUsageOnlyEventTheGatewayAskedFor(String description, Endpoint endpoint, String event,
                                                       boolean expected) {
        assertThat(adapter.isGatewayUsageEvent(json(event), endpoint)).isEqualTo(expected);
    }

    @Test
    void readsUsageWithTheUsageReader() {
        JsonNode answer = json("{'usage':{'prompt_tokens':3,'completion_tokens':4,'total_tokens':7}}");

        assertThat(adapter.usage(answer)).contains(new Usage(3, 4, 0, 0, false));
    }

    private static final java.net.URI OPENAI = java.net.URI.create("https://api.openai.com/v1");
    private static final java.net.URI LOCAL = java.net.URI.create("http://127.0.0.1:11434/v1");

    /** Issue 25: under a token or cost limit the provider may generate no more than was reserved for. */
    @ParameterizedTest(name = "{0} at {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            CHAT_COMPLETIONS | openai | max_completion_tokens
            CHAT_COMPLETIONS | local  | max_tokens
            COMPLETIONS      | openai | max_tokens
            RESPONSES        | openai | max_output_tokens
            """)
    void setsTheMaximumARequestLeftOpen(Endpoint endpoint, String provider, String field) {
        ObjectNode body = json("{'model':'m'}");
        adapter.capCompletion(body, endpoint, 4096, provider.equals("openai") ? OPENAI : LOCAL);
        assertThat(body.path(field).asLong()).isEqualTo(4096);
        assertThat(body.size()).isEqualTo(2);
    }

    @Test
    void lowersEveryMaximumAboveTheCapAndKeepsTheOthers() {
        ObjectNode body = json("{'max_tokens':100000,'max_completion_tokens':50,'max_output_tokens':1e30}");
        adapter.capCompletion(body, Endpoint.CHAT_COMPLETIONS, 4096, OPENAI);
        assertThat(body.path("max_tokens").asLong()).isEqualTo(4096);
        assertThat(body.path("max_completion_tokens").asLong()).isEqualTo(50);
        assertThat(body.path("max_output_tokens").asLong()).isEqualTo(4096);
    }

    /** A maximum under a name the endpoint's servers ignore does not bound the answer: the right one is added. */
    @ParameterizedTest(name = "{0} at {1} naming {2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            CHAT_COMPLETIONS | local  | max_output_tokens     | max_tokens
            CHAT_COMPLETIONS | local  | max_completion_tokens | max_tokens
            CHAT_COMPLETIONS | openai | max_output_tokens     | max_completion_tokens
            RESPONSES        | openai | max_tokens            | max_output_tokens
            COMPLETIONS      | local  | max_completion_tokens | max_tokens
            """)
    void addsTheEndpointsOwnMaximumWhenOnlyAnotherIsNamed(Endpoint endpoint, String provider, String named, String added) {
        ObjectNode body = json("{'model':'m','" + named + "':1}");
        adapter.capCompletion(body, endpoint, 4096, provider.equals("openai") ? OPENAI : LOCAL);
        assertThat(body.path(named).asLong()).isEqualTo(1);
        assertThat(body.path(added).asLong()).isEqualTo(4096);
    }

    @Test
    void keepsAChatsMaxTokensAtOpenAi() {
        ObjectNode body = json("{'model':'m','max_tokens':10}");
        adapter.capCompletion(body, Endpoint.CHAT_COMPLETIONS, 4096, OPENAI);
        assertThat(body.path("max_tokens").asLong()).isEqualTo(10);
        assertThat(body.has("max_completion_tokens")).isFalse();
    }

    @Test
    void leavesEmbeddingsAlone() {
        ObjectNode body = json("{'input':'x'}");
        adapter.capCompletion(body, Endpoint.EMBEDDINGS, 0, OPENAI);
        assertThat(body.size()).isEqualTo(1);
    }
}
