package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The generated text and id of OpenAI answers, whole and streamed, without their markup. */
class AnswerTextTest {

    private static JsonNode json(String text) {
        try {
            return Json.parse(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> wholeAnswers() {
        return Stream.of(
                Arguments.of("chat completion", "{'id':'chatcmpl-1','object':'chat.completion','choices':[{'index':0,"
                        + "'message':{'role':'assistant','content':'Hello there.'},'finish_reason':'stop'}]}", "Hello there."),
                Arguments.of("chat completion with two choices", "{'choices':[{'message':{'content':'A'}},"
                        + "{'message':{'content':'B'}}]}", "AB"),
                Arguments.of("chat tool call without content", "{'choices':[{'message':{'role':'assistant','content':null,"
                        + "'tool_calls':[{'id':'call_1','type':'function','function':{'name':'f','arguments':'{}'}}]}}]}", ""),
                Arguments.of("legacy completion", "{'id':'cmpl-1','object':'text_completion','choices':[{'text':'Once upon',"
                        + "'index':0}]}", "Once upon"),
                Arguments.of("responses output text", "{'id':'resp_1','object':'response','output':[{'type':'reasoning',"
                        + "'summary':[]},{'type':'message','role':'assistant','content':[{'type':'output_text',"
                        + "'text':'Hi ','annotations':[]},{'type':'refusal','refusal':'no'},{'type':'output_text',"
                        + "'text':'you.'}]}]}", "Hi you."),
                Arguments.of("embedding answer", "{'object':'list','data':[{'embedding':[0.1]}]}", ""),
                Arguments.of("error body", "{'error':{'message':'bad','type':'invalid_request_error'}}", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeAnswers")
    void textOfAWholeAnswer(String name, String answer, String expected) {
        assertThat(AnswerText.of(json(answer))).isEqualTo(expected);
    }

    static Stream<Arguments> streamedEvents() {
        return Stream.of(
                Arguments.of("chat delta", "{'id':'chatcmpl-1','object':'chat.completion.chunk','choices':[{'index':0,"
                        + "'delta':{'content':'Hel'},'finish_reason':null}]}", "Hel"),
                Arguments.of("chat role-only first delta", "{'choices':[{'index':0,'delta':{'role':'assistant',"
                        + "'content':''}}]}", ""),
                Arguments.of("chat finish chunk", "{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}", ""),
                Arguments.of("chat usage chunk", "{'choices':[],'usage':{'prompt_tokens':1,'completion_tokens':2}}", ""),
                Arguments.of("completion piece", "{'id':'cmpl-1','object':'text_completion','choices':[{'text':' upon',"
                        + "'index':0}]}", " upon"),
                Arguments.of("responses text delta", "{'type':'response.output_text.delta','item_id':'msg_1',"
                        + "'output_index':0,'content_index':0,'delta':'lo w'}", "lo w"),
                Arguments.of("responses text done (not a delta)", "{'type':'response.output_text.done','text':'Hello'}", ""),
                Arguments.of("responses reasoning delta", "{'type':'response.reasoning_summary_text.delta',"
                        + "'delta':'thinking'}", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamedEvents")
    void textOneStreamedEventAdds(String name, String event, String expected) {
        assertThat(AnswerText.delta(json(event))).isEqualTo(expected);
    }

    static Stream<Arguments> ids() {
        return Stream.of(
                Arguments.of("chat completion", "{'id':'chatcmpl-abc','object':'chat.completion','choices':[]}", "chatcmpl-abc"),
                Arguments.of("chat chunk", "{'id':'chatcmpl-abc','object':'chat.completion.chunk','choices':[]}",
                        "chatcmpl-abc"),
                Arguments.of("completion", "{'id':'cmpl-9','object':'text_completion','choices':[]}", "cmpl-9"),
                Arguments.of("whole response", "{'id':'resp_123','object':'response','output':[]}", "resp_123"),
                Arguments.of("response.created event", "{'type':'response.created','sequence_number':0,"
                        + "'response':{'id':'resp_456','object':'response','status':'in_progress'}}", "resp_456"),
                Arguments.of("no id", "{'choices':[]}", null),
                Arguments.of("numeric id is no id", "{'id':42}", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ids")
    void idOfAnAnswerOrItsFirstEvent(String name, String answer, String expected) {
        assertThat(AnswerText.id(json(answer))).isEqualTo(expected);
    }
}
