package io.tokenrouter.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenEstimatorTest {

    private static JsonNode json(String text) {
        try {
            return Json.parse(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String answerText(String answer) {
        StringBuilder out = new StringBuilder();
        TokenEstimator.appendAnswerText(json(answer), out);
        return out.toString();
    }

    @Test
    void countsNothingInEmptyText() {
        assertThat(TokenEstimator.count("")).isZero();
    }

    @ParameterizedTest(name = "''{0}'' is {1} tokens")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            The quick brown fox jumps over the lazy dog. | 10
            hello                                        | 1
            """)
    void countsAKnownSentencePlausibly(String text, long tokens) {
        assertThat(TokenEstimator.count(text)).isEqualTo(tokens);
    }

    @Test
    void countsMoreTokensForLongerText() {
        String sentence = "The quick brown fox jumps over the lazy dog. ";

        assertThat(TokenEstimator.count(sentence.repeat(10))).isBetween(95L, 105L);
    }

    @Test
    void countsTheTextOfChatMessagesButNotTheirRoles() {
        JsonNode request = json("{'model':'gpt-4o','temperature':0.5,'messages':["
                + "{'role':'system','content':'You are terse.'},"
                + "{'role':'user','content':[{'type':'text','text':'Name a colour.'},"
                + "{'type':'image_url','image_url':{'url':'https://example.com/a-very-long-image-url.png'}}]}]}");

        assertThat(TokenEstimator.promptTokens(request))
                .isEqualTo(TokenEstimator.count("You are terse.\nName a colour.\n"));
    }

    @Test
    void countsRolesNeverWhateverTheirLength() {
        JsonNode shortRoles = json("{'messages':[{'role':'user','content':'Hello there'}]}");
        JsonNode longRoles = json("{'messages':[{'role':'assistant with an absurdly long role name','content':'Hello there'}]}");

        assertThat(TokenEstimator.promptTokens(longRoles)).isEqualTo(TokenEstimator.promptTokens(shortRoles))
                .isEqualTo(TokenEstimator.count("Hello there\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            completions prompt       | {'model':'m','prompt':'Once upon a time'}                           | Once upon a time
            completions prompt array | {'model':'m','prompt':['Once upon','a time']}                      | Once upon\\na time
            embeddings input         | {'model':'m','input':'Once upon a time'}                            | Once upon a time
            responses input items    | {'model':'m','input':[{'role':'user','content':[{'type':'input_text','text':'Once upon a time'}]}]} | Once upon a time
            responses instructions   | {'model':'m','instructions':'Be brief.'}                            | Be brief.
            """)
    void countsThePromptFieldsOfEveryEndpoint(String description, String request, String text) {
        assertThat(TokenEstimator.promptTokens(json(request)))
                .isPositive()
                .isEqualTo(TokenEstimator.count(text.replace("\\n", "\n") + "\n"));
    }

    @Test
    void countsNoPromptInFieldsThatAreNotPrompts() {
        JsonNode request = json("{'model':'a-model-name-with-many-tokens','user':'someone','metadata':{'k':'long value'}}");

        assertThat(TokenEstimator.promptTokens(request)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            chat answer            | {'id':'c','object':'chat.completion','model':'gpt-4o','choices':[{'index':0,'finish_reason':'stop','message':{'role':'assistant','content':'Blue.'}}]} | Blue.\\n
            chat stream chunk      | {'object':'chat.completion.chunk','choices':[{'index':0,'delta':{'content':'Bl'},'finish_reason':null}]}                                        | Bl\\n
            completions answer     | {'object':'text_completion','choices':[{'text':' there was a fox','index':0,'logprobs':null,'finish_reason':'length'}]}                         | " there was a fox\\n"
            responses answer       | {'object':'response','status':'completed','output':[{'type':'message','id':'msg_1','role':'assistant','content':[{'type':'output_text','text':'Blue.'}]}]} | Blue.\\n
            responses delta event  | {'type':'response.output_text.delta','item_id':'msg_1','delta':'Bl'}                                                                            | Bl
            usage-only chunk       | {'choices':[],'usage':{'prompt_tokens':3}}                                                                                                      | ""
            """)
    void appendsTheGeneratedTextOfAnAnswer(String description, String answer, String text) {
        assertThat(answerText(answer)).isEqualTo(text.replace("\\n", "\n"));
    }

    @Test
    void appendsAnswerTextAfterWhatIsAlreadyThere() {
        StringBuilder out = new StringBuilder("Bl");

        TokenEstimator.appendAnswerText(json("{'type':'response.output_text.delta','delta':'ue.'}"), out);

        assertThat(out).hasToString("Blue.");
    }
}
