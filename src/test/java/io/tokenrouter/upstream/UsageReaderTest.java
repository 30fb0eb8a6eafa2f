package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsageReaderTest {

    private static JsonNode json(String text) {
        try {
            return Json.parse(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readsChatUsageWithCachedAndReasoningDetails() {
        JsonNode answer = json("{'id':'chatcmpl-1','object':'chat.completion','choices':[],'usage':{"
                + "'prompt_tokens':1200,'completion_tokens':300,'total_tokens':1500,"
                + "'prompt_tokens_details':{'cached_tokens':1024,'audio_tokens':0},"
                + "'completion_tokens_details':{'reasoning_tokens':256,'audio_tokens':0}}}");

        assertThat(UsageReader.read(answer)).contains(new Usage(1200, 300, 1024, 256, false));
    }

    @Test
    void readsChatUsageWithoutDetailsAsZeroDetails() {
        JsonNode answer = json("{'usage':{'prompt_tokens':12,'completion_tokens':5,'total_tokens':17}}");

        assertThat(UsageReader.read(answer)).contains(new Usage(12, 5, 0, 0, false));
    }

    @Test
    void derivesCompletionTokensFromTotalWhenCompletionTokensAreMissing() {
        JsonNode answer = json("{'usage':{'prompt_tokens':12,'total_tokens':40}}");

        assertThat(UsageReader.read(answer)).contains(new Usage(12, 28, 0, 0, false));
    }

    @Test
    void neverDerivesNegativeCompletionTokens() {
        JsonNode answer = json("{'usage':{'prompt_tokens':12,'total_tokens':10}}");

        assertThat(UsageReader.read(answer)).contains(new Usage(12, 0, 0, 0, false));
    }

    @Test
    void readsEmbeddingsUsageAsPromptOnly() {
        JsonNode answer = json("{'object':'list','data':[{'embedding':[0.1]}],'usage':{'prompt_tokens':8,'total_tokens':8}}");

        assertThat(UsageReader.read(answer)).contains(new Usage(8, 0, 0, 0, false));
    }

    @Test
    void readsResponsesUsageWithDetails() {
        JsonNode answer = json("{'id':'resp_1','object':'response','output':[],'usage':{"
                + "'input_tokens':500,'input_tokens_details':{'cached_tokens':128},"
                + "'output_tokens':90,'output_tokens_details':{'reasoning_tokens':64},'total_tokens':590}}");

        assertThat(UsageReader.read(answer)).contains(new Usage(500, 90, 128, 64, false));
    }

    @Test
    void readsUsageOfAStreamedResponseCompletedEvent() {
        JsonNode event = json("{'type':'response.completed','sequence_number':9,'response':{'id':'resp_1',"
                + "'status':'completed','usage':{'input_tokens':21,'output_tokens':7,"
                + "'output_tokens_details':{'reasoning_tokens':3},'total_tokens':28}}}");

        assertThat(UsageReader.read(event)).contains(new Usage(21, 7, 0, 3, false));
    }

    @Test
    void readsUsageOfTheFinalStreamedChatChunk() {
        JsonNode event = json("{'id':'c','object':'chat.completion.chunk','choices':[],"
                + "'usage':{'prompt_tokens':9,'completion_tokens':2,'total_tokens':11}}");

        assertThat(UsageReader.read(event)).contains(new Usage(9, 2, 0, 0, false));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            no usage field                     | {'choices':[]}
            null usage                         | {'choices':[{'delta':{'content':'x'}}],'usage':null}
            usage that is not an object        | {'usage':42}
            response without usage             | {'type':'response.created','response':{'status':'in_progress'}}
            response with null usage           | {'type':'response.in_progress','response':{'usage':null}}
            delta event                        | {'type':'response.output_text.delta','delta':'Hi'}
            """)
    void readsNothingWhereNoUsageIsReported(String description, String json) {
        assertThat(UsageReader.read(json(json))).isEmpty();
    }

    @Test
    void readsNothingFromNull() {
        assertThat(UsageReader.read(null)).isEmpty();
    }

    /** Anthropic: input_tokens leave out the prompt cache's reads and writes, which the prompt's figure holds. */
    @Test
    void readsAnthropicUsageFromAMessageAndFromItsStreamEvents() {
        JsonNode message = json("{'type':'message','usage':{'input_tokens':10,'cache_creation_input_tokens':20,"
                + "'cache_read_input_tokens':30,'output_tokens':5}}");
        assertThat(UsageReader.anthropic(message)).contains(new Usage(60, 5, 30, 0, false, 20));

        JsonNode start = json("{'type':'message_start','message':{'usage':{'input_tokens':10,'output_tokens':1}}}");
        JsonNode delta = json("{'type':'message_delta','delta':{'stop_reason':'end_turn'},'usage':{'output_tokens':15}}");
        Usage merged = UsageReader.anthropic(start).orElseThrow().max(UsageReader.anthropic(delta).orElseThrow());
        assertThat(merged).isEqualTo(new Usage(10, 15, 0, 0, false, 0));
        assertThat(UsageReader.anthropic(json("{'type':'ping'}"))).isEmpty();
    }

    /** Of the tokens written to the cache, those for an hour are counted apart, never more than all written. */
    @Test
    void readsAnthropicWritesToTheHourCache() {
        JsonNode message = json("{'usage':{'input_tokens':10,'cache_creation_input_tokens':20,'cache_read_input_tokens':0,"
                + "'cache_creation':{'ephemeral_5m_input_tokens':5,'ephemeral_1h_input_tokens':15},'output_tokens':5}}");
        assertThat(UsageReader.anthropic(message)).contains(new Usage(30, 5, 0, 0, false, 20, 15));
        JsonNode inflated = json("{'usage':{'input_tokens':10,'cache_creation_input_tokens':20,"
                + "'cache_creation':{'ephemeral_1h_input_tokens':9999999},'output_tokens':5}}");
        assertThat(UsageReader.anthropic(inflated).orElseThrow().hourCacheWriteTokens()).isEqualTo(20);
        assertThat(new Usage(30, 5, 0, 0, false, 20, 15).within(12, 5)).isEqualTo(new Usage(12, 5, 0, 0, false, 12, 12));
    }

    @Test
    void anthropicFiguresThatAreNoNumbersOrTooLargeDoNotWrapAround() {
        JsonNode answer = json("{'usage':{'input_tokens':'many','cache_read_input_tokens':9223372036854775807,"
                + "'cache_creation_input_tokens':99999999999999999999999,'output_tokens':-3}}");
        Usage usage = UsageReader.anthropic(answer).orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(usage.completionTokens()).isEqualTo(-3);
        assertThat(usage.within(1000, 100)).isEqualTo(new Usage(1000, 0, 1000, 0, false, 0));
    }
}
