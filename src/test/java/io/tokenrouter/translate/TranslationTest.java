package io.tokenrouter.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anthropic's Messages API and OpenAI's chat completions, each carried over to the other and back. */
class TranslationTest {

    private static final Translation TO_CHAT = Translation.between(Endpoint.MESSAGES, false,
            new Translation.Request(4096, "max_tokens", false, 77));
    private static final Translation TO_MESSAGES = Translation.between(Endpoint.CHAT_COMPLETIONS, true,
            new Translation.Request(4096, "max_tokens", true, 77));

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) Json.parse(text.replace('\'', '"'));
    }

    @Test
    void onlyTheOtherApiIsTranslated() {
        Translation.Request request = new Translation.Request(1, "max_tokens", false, 0);
        assertThat(Translation.between(Endpoint.MESSAGES, true, request)).isNull();
        assertThat(Translation.between(Endpoint.CHAT_COMPLETIONS, false, request)).isNull();
        assertThat(Translation.between(Endpoint.EMBEDDINGS, true, request)).isNull();
        assertThat(Translation.serves(Endpoint.EMBEDDINGS, true)).isFalse();
        assertThat(Translation.serves(Endpoint.RESPONSES, true)).isFalse();
        assertThat(Translation.serves(Endpoint.CHAT_COMPLETIONS, true)).isTrue();
        assertThat(Translation.serves(Endpoint.COUNT_TOKENS, false)).as("counted by the gateway").isTrue();
        assertThat(Translation.serves(Endpoint.MESSAGES, false)).isTrue();
        assertThat(TO_CHAT.upstreamPath()).isEqualTo("chat/completions");
        assertThat(TO_MESSAGES.upstreamPath()).isEqualTo("messages");
    }

    @Test
    void aMessagesRequestBecomesAChatRequest() throws Exception {
        ObjectNode request = json("{'model':'smart','max_tokens':300,'temperature':0.2,'stop_sequences':['END'],"
                + "'system':[{'type':'text','text':'Be brief.','cache_control':{'type':'ephemeral'}}],"
                + "'metadata':{'user_id':'u-1'},'stream':true,"
                + "'tools':[{'name':'weather','description':'Weather of a city','input_schema':{'type':'object',"
                + "'properties':{'city':{'type':'string'}}},'strict':true}],'tool_choice':{'type':'any','disable_parallel_tool_use':true},"
                + "'messages':[{'role':'user','content':'Weather in Oslo?'},"
                + "{'role':'assistant','content':[{'type':'text','text':'Checking.'},{'type':'tool_use','id':'toolu_1',"
                + "'name':'weather','input':{'city':'Oslo'}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':[{'type':'text','text':'-3C'}]},"
                + "{'type':'text','text':'And tomorrow?'},{'type':'image','source':{'type':'base64','media_type':'image/png','data':'AAAA'}}]},"
                + "{'role':'system','content':[{'type':'text','text':'Answer in Celsius.'}]}]}");

        JsonNode chat = TO_CHAT.request(request, "gpt-4o");

        assertThat(chat.path("model").asText()).isEqualTo("gpt-4o");
        assertThat(chat.path("max_tokens").asLong()).isEqualTo(300);
        assertThat(chat.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(chat.path("stop").get(0).asText()).isEqualTo("END");
        assertThat(chat.path("user").asText()).isEqualTo("u-1");
        assertThat(chat.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(chat.path("tool_choice").asText()).isEqualTo("required");
        assertThat(chat.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(chat.path("tools").get(0).path("function").path("parameters").path("properties").has("city")).isTrue();
        assertThat(chat.path("tools").get(0).path("function").path("strict").asBoolean()).isTrue();
        JsonNode messages = chat.path("messages");
        assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(messages.get(1).path("content").asText()).isEqualTo("Weather in Oslo?");
        assertThat(messages.get(2).path("content").asText()).isEqualTo("Checking.");
        JsonNode call = messages.get(2).path("tool_calls").get(0);
        assertThat(call.path("id").asText()).isEqualTo("toolu_1");
        assertThat(Json.parse(call.path("function").path("arguments").asText()).path("city").asText()).isEqualTo("Oslo");
        assertThat(messages.get(3).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(3).path("tool_call_id").asText()).isEqualTo("toolu_1");
        assertThat(messages.get(3).path("content").asText()).isEqualTo("-3C");
        assertThat(messages.get(4).path("content").get(0).path("text").asText()).isEqualTo("And tomorrow?");
        assertThat(messages.get(4).path("content").get(1).path("image_url").path("url").asText())
                .isEqualTo("data:image/png;base64,AAAA");
        assertThat(messages.get(5).path("role").asText()).as("a system message within the conversation").isEqualTo("system");
        assertThat(messages.get(5).path("content").asText()).isEqualTo("Answer in Celsius.");
    }

    @Test
    void whatAChatRequestCannotCarryIsRefusedNotDropped() throws Exception {
        ObjectNode thinking = json("{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'hi'},"
                + "{'role':'assistant','content':[{'type':'thinking','thinking':'hm','signature':'sig'},{'type':'text','text':'x'}]},"
                + "{'role':'user','content':'go on'}]}");
        assertThatThrownBy(() -> TO_CHAT.request(thinking, "gpt-4o")).isInstanceOf(GatewayException.class)
                .hasMessageContaining("thinking").hasMessageContaining("signature")
                .satisfies(e -> assertThat(((GatewayException) e).status()).isEqualTo(400));
        ObjectNode document = json("{'model':'m','max_tokens':10,'messages':[{'role':'user','content':[{'type':'document',"
                + "'source':{'type':'base64','media_type':'application/pdf','data':'AA'}}]}]}");
        assertThatThrownBy(() -> TO_CHAT.request(document, "gpt-4o")).hasMessageContaining("document");
        ObjectNode serverTool = json("{'model':'m','max_tokens':10,'tools':[{'type':'web_search_20250305','name':'web_search'}],"
                + "'messages':[{'role':'user','content':'hi'}]}");
        assertThatThrownBy(() -> TO_CHAT.request(serverTool, "gpt-4o")).hasMessageContaining("web_search");
    }

    @Test
    void aChatRequestBecomesAMessagesRequest() throws Exception {
        ObjectNode request = json("{'model':'claude','max_completion_tokens':200,'max_tokens':500,'stop':'END','user':'u-2',"
                + "'parallel_tool_calls':false,'stream':true,'stream_options':{'include_usage':true},"
                + "'tools':[{'type':'function','function':{'name':'weather','parameters':{'type':'object'},'strict':false}}],"
                + "'messages':[{'role':'system','content':'Be brief.'},{'role':'developer','content':'Use metric.'},"
                + "{'role':'user','content':[{'type':'text','text':'Oslo?'},{'type':'image_url','image_url':{'url':'data:image/jpeg;base64,QUJD'}}]},"
                + "{'role':'assistant','content':null,'tool_calls':[{'id':'call_1','type':'function','function':{'name':'weather','arguments':'{\\'city\\':\\'Oslo\\'}'}},"
                + "{'id':'call_2','type':'function','function':{'name':'weather','arguments':'{}'}}]},"
                + "{'role':'tool','tool_call_id':'call_1','content':'-3C'},{'role':'tool','tool_call_id':'call_2','content':'?'},"
                + "{'role':'user','content':'Thanks'}]}");

        JsonNode messages = TO_MESSAGES.request(request, "claude-sonnet-4-5");

        assertThat(messages.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(messages.path("max_tokens").asLong()).isEqualTo(200);
        assertThat(messages.path("system").asText()).isEqualTo("Be brief.\n\nUse metric.");
        assertThat(messages.path("stop_sequences").get(0).asText()).isEqualTo("END");
        assertThat(messages.path("metadata").path("user_id").asText()).isEqualTo("u-2");
        assertThat(messages.path("tool_choice").path("disable_parallel_tool_use").asBoolean()).isTrue();
        assertThat(messages.path("tools").get(0).path("input_schema").path("type").asText()).isEqualTo("object");
        assertThat(messages.path("tools").get(0).has("strict")).as("false is the default, and not sent").isFalse();
        assertThat(messages.has("stream_options")).isFalse();
        JsonNode turns = messages.path("messages");
        assertThat(turns).hasSize(3);
        assertThat(turns.get(0).path("content").get(1).path("source").path("media_type").asText()).isEqualTo("image/jpeg");
        assertThat(turns.get(0).path("content").get(1).path("source").path("data").asText()).isEqualTo("QUJD");
        assertThat(turns.get(1).path("content").get(0).path("type").asText()).isEqualTo("tool_use");
        assertThat(turns.get(1).path("content").get(0).path("input").path("city").asText()).isEqualTo("Oslo");
        JsonNode results = turns.get(2).path("content");
        assertThat(results.get(0).path("tool_use_id").asText()).isEqualTo("call_1");
        assertThat(results.get(1).path("tool_use_id").asText()).isEqualTo("call_2");
        assertThat(results.get(2).path("text").asText()).isEqualTo("Thanks");
    }

    @Test
    void whatAMessagesRequestCannotCarryIsRefused() throws Exception {
        assertThatThrownBy(() -> TO_MESSAGES.request(json("{'n':2,'messages':[]}"), "c")).hasMessageContaining("'n'");
        assertThatThrownBy(() -> TO_MESSAGES.request(json("{'logprobs':true,'messages':[]}"), "c")).hasMessageContaining("logprobs");
        assertThatThrownBy(() -> TO_MESSAGES.request(json("{'temperature':1.5,'messages':[]}"), "c")).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> TO_MESSAGES.request(json("{'response_format':{'type':'json_object'},'messages':[]}"), "c"))
                .hasMessageContaining("json_object");
        assertThat(TO_MESSAGES.request(json("{'logprobs':false,'presence_penalty':0,'messages':[]}"), "c").path("max_tokens").asLong())
                .as("absent or neutral values pass, and the default maximum applies").isEqualTo(4096);
    }

    @Test
    void answersBothWays() throws Exception {
        JsonNode chat = json("{'id':'chatcmpl-9','object':'chat.completion','model':'gpt-4o','choices':[{'index':0,"
                + "'message':{'role':'assistant','content':'Hi','tool_calls':[{'id':'call_1','type':'function',"
                + "'function':{'name':'weather','arguments':'{\\'city\\':\\'Oslo\\'}'}}]},'finish_reason':'tool_calls'}],"
                + "'usage':{'prompt_tokens':12,'completion_tokens':3,'total_tokens':15,'prompt_tokens_details':{'cached_tokens':4}}}");
        JsonNode message = Json.parse(TO_CHAT.answer(chat));
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("id").asText()).isEqualTo("msg_chatcmpl-9");
        assertThat(message.path("content").get(0).path("text").asText()).isEqualTo("Hi");
        assertThat(message.path("content").get(1).path("input").path("city").asText()).isEqualTo("Oslo");
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(message.path("usage").path("input_tokens").asLong()).isEqualTo(8);
        assertThat(message.path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(4);
        assertThat(message.path("usage").path("output_tokens").asLong()).isEqualTo(3);

        JsonNode anthropic = json("{'id':'msg_1','type':'message','role':'assistant','model':'claude','content':["
                + "{'type':'thinking','thinking':'hm','signature':'s'},{'type':'text','text':'Hello'},"
                + "{'type':'tool_use','id':'toolu_1','name':'weather','input':{'city':'Oslo'}}],'stop_reason':'max_tokens',"
                + "'usage':{'input_tokens':10,'cache_creation_input_tokens':20,'cache_read_input_tokens':30,'output_tokens':5}}");
        JsonNode completion = Json.parse(TO_MESSAGES.answer(anthropic));
        JsonNode answer = completion.path("choices").get(0).path("message");
        assertThat(answer.path("content").asText()).isEqualTo("Hello");
        assertThat(answer.path("reasoning_content").asText()).isEqualTo("hm");
        assertThat(answer.path("tool_calls").get(0).path("function").path("arguments").asText()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(completion.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(completion.path("usage").path("prompt_tokens").asLong()).isEqualTo(60);
        assertThat(completion.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(30);
        assertThat(completion.path("usage").path("completion_tokens").asLong()).isEqualTo(5);
    }

    @Test
    void aChatStreamBecomesAnthropicsEventsAsItArrives() throws Exception {
        StreamTranslator stream = TO_CHAT.stream();
        List<StreamTranslator.Frame> out = new ArrayList<>();
        stream.event(null, json("{'id':'c1','model':'gpt-4o','choices':[{'index':0,'delta':{'role':'assistant','content':'Hel'}}]}"), out);
        assertThat(types(out)).containsExactly("message_start", "content_block_start", "content_block_delta");
        assertThat(data(out.get(0)).path("message").path("usage").path("input_tokens").asLong())
                .as("the gateway's count of the prompt, not 0").isEqualTo(77);
        out.clear();
        stream.event(null, json("{'choices':[{'index':0,'delta':{'content':'lo'}}]}"), out);
        stream.event(null, json("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_1','type':'function',"
                + "'function':{'name':'weather','arguments':''}}]}}]}"), out);
        stream.event(null, json("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{\\'city\\''}}]}}]}"), out);
        stream.event(null, json("{'choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}"), out);
        stream.event(null, json("{'choices':[],'usage':{'prompt_tokens':12,'completion_tokens':3,'total_tokens':15}}"), out);
        assertThat(types(out)).containsExactly("content_block_delta", "content_block_stop", "content_block_start",
                "content_block_delta", "content_block_stop");
        assertThat(data(out.get(2)).path("content_block").path("id").asText()).isEqualTo("call_1");
        assertThat(data(out.get(3)).path("delta").path("partial_json").asText()).isEqualTo("{\"city\"");
        assertThat(out).noneMatch(StreamTranslator.Frame::ends);
        out.clear();
        stream.event(null, null, out); // [DONE]
        assertThat(types(out)).containsExactly("message_delta", "message_stop");
        assertThat(data(out.get(0)).path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(data(out.get(0)).path("usage").path("output_tokens").asLong()).isEqualTo(3);
        assertThat(data(out.get(0)).path("usage").path("input_tokens").asLong()).isEqualTo(12);
        assertThat(out.get(1).ends()).isTrue();
        out.clear();
        stream.end(out);
        assertThat(out).as("closed once").isEmpty();
    }

    @Test
    void aChatStreamThatEndsAfterItsFinishReasonWithoutDoneIsClosed() throws Exception {
        StreamTranslator stream = TO_CHAT.stream();
        List<StreamTranslator.Frame> out = new ArrayList<>();
        stream.event(null, json("{'id':'c1','model':'gpt-4o','choices':[{'index':0,'delta':{'content':'Hi'}}]}"), out);
        stream.event(null, json("{'choices':[{'index':0,'delta':{},'finish_reason':'length'}]}"), out);
        out.clear();
        stream.end(out);
        assertThat(types(out)).containsExactly("message_delta", "message_stop");
        assertThat(data(out.get(0)).path("delta").path("stop_reason").asText()).isEqualTo("max_tokens");
    }

    @Test
    void aChatStreamCutBeforeItsFinishReasonOrWithAnErrorEndsWithAnError() throws Exception {
        StreamTranslator cut = TO_CHAT.stream();
        List<StreamTranslator.Frame> out = new ArrayList<>();
        cut.event(null, json("{'id':'c1','model':'gpt-4o','choices':[{'index':0,'delta':{'content':'Hi'}}]}"), out);
        out.clear();
        cut.end(out);
        assertThat(types(out)).containsExactly("content_block_stop", "error");
        assertThat(out).noneMatch(StreamTranslator.Frame::ends);

        StreamTranslator failed = TO_CHAT.stream();
        out.clear();
        failed.event(null, json("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'content':'Hi'}}]}"), out);
        failed.event(null, json("{'error':{'message':'upstream overloaded'},'choices':[{'index':0,'delta':{},"
                + "'finish_reason':'error'}]}"), out);
        failed.event(null, null, out);
        failed.end(out);
        assertThat(types(out)).containsExactly("message_start", "content_block_start", "content_block_delta", "error");
        assertThat(data(out.get(3)).path("error").path("message").asText()).isEqualTo("upstream overloaded");
    }

    @Test
    void interleavedParallelToolCallsBecomeWholeBlocks() throws Exception {
        StreamTranslator stream = TO_CHAT.stream();
        List<StreamTranslator.Frame> out = new ArrayList<>();
        stream.event(null, json("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'tool_calls':["
                + "{'index':0,'id':'call_a','function':{'name':'weather','arguments':'{\\'city\\':'}},"
                + "{'index':1,'id':'call_b','function':{'name':'time','arguments':''}}]}}]}"), out);
        stream.event(null, json("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'function':{'arguments':'{}'}},"
                + "{'index':0,'function':{'arguments':'\\'Oslo\\'}'}}]}}]}"), out);
        // a provider that numbers every call 0: a new id is a new call
        stream.event(null, json("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_c','function':"
                + "{'name':'news','arguments':''}}]}}]}"), out);
        stream.event(null, json("{'choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}"), out);

        List<JsonNode> starts = new ArrayList<>();
        List<JsonNode> deltas = new ArrayList<>();
        for (StreamTranslator.Frame frame : out) {
            JsonNode data = data(frame);
            if (data.path("type").asText().equals("content_block_start")) {
                starts.add(data);
            } else if (data.path("type").asText().equals("content_block_delta")) {
                deltas.add(data);
            }
        }
        assertThat(starts).extracting(d -> d.path("content_block").path("id").asText()).containsExactly("call_a", "call_b", "call_c");
        assertThat(starts).extracting(d -> d.path("index").asInt()).containsExactly(0, 1, 2);
        assertThat(deltas).extracting(d -> d.path("delta").path("partial_json").asText())
                .containsExactly("{\"city\":\"Oslo\"}", "{}", "{}");
    }

    @Test
    void anthropicsStreamBecomesAChatStream() throws Exception {
        StreamTranslator stream = TO_MESSAGES.stream();
        List<StreamTranslator.Frame> out = new ArrayList<>();
        stream.event("message_start", json("{'type':'message_start','message':{'id':'msg_1','model':'claude',"
                + "'usage':{'input_tokens':10,'cache_read_input_tokens':30,'output_tokens':1}}}"), out);
        stream.event("content_block_start", json("{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}"), out);
        stream.event("content_block_delta", json("{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Hi'}}"), out);
        stream.event("content_block_start", json("{'type':'content_block_start','index':1,'content_block':{'type':'tool_use',"
                + "'id':'toolu_1','name':'weather','input':{}}}"), out);
        stream.event("content_block_delta", json("{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta',"
                + "'partial_json':'{}'}}"), out);
        stream.event("ping", json("{'type':'ping'}"), out);
        stream.event("message_delta", json("{'type':'message_delta','delta':{'stop_reason':'tool_use'},'usage':{'output_tokens':7}}"), out);
        stream.event("message_stop", json("{'type':'message_stop'}"), out);

        assertThat(out).hasSize(7);
        JsonNode first = data(out.get(0));
        assertThat(first.path("id").asText()).isEqualTo("chatcmpl-msg_1");
        assertThat(first.path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
        assertThat(data(out.get(1)).path("choices").get(0).path("delta").path("content").asText()).isEqualTo("Hi");
        assertThat(data(out.get(2)).path("choices").get(0).path("delta").path("tool_calls").get(0).path("id").asText()).isEqualTo("toolu_1");
        assertThat(data(out.get(3)).path("choices").get(0).path("delta").path("tool_calls").get(0).path("function")
                .path("arguments").asText()).isEqualTo("{}");
        assertThat(data(out.get(4)).path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode usage = data(out.get(5)).path("usage");
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(40);
        assertThat(usage.path("completion_tokens").asLong()).isEqualTo(7);
        assertThat(new String(out.get(6).raw(), StandardCharsets.UTF_8)).isEqualTo("data: [DONE]\n\n");
        assertThat(out.get(6).ends()).isTrue();
    }

    @Test
    void anthropicsStreamCutOrFailedEndsWithAnErrorChunkAndNoDone() throws Exception {
        StreamTranslator stream = TO_MESSAGES.stream();
        List<StreamTranslator.Frame> out = new ArrayList<>();
        stream.event("message_start", json("{'type':'message_start','message':{'id':'msg_1','model':'claude','usage':{}}}"), out);
        stream.event("content_block_start", json("{'type':'content_block_start','index':0,'content_block':{'type':'tool_use',"
                + "'id':'toolu_1','name':'now','input':{}}}"), out);
        stream.event("content_block_stop", json("{'type':'content_block_stop','index':0}"), out);
        assertThat(data(out.get(2)).path("choices").get(0).path("delta").path("tool_calls").get(0).path("function")
                .path("arguments").asText()).as("a call without input has '{}' as arguments").isEqualTo("{}");
        out.clear();
        stream.end(out);
        assertThat(out).singleElement().satisfies(f -> assertThat(data(f).path("error").path("code").asText())
                .isEqualTo("upstream_stream_error"));

        StreamTranslator failed = TO_MESSAGES.stream();
        out.clear();
        failed.event("error", json("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}"), out);
        failed.end(out);
        assertThat(out).singleElement().satisfies(f -> assertThat(data(f).path("error").path("code").asText())
                .isEqualTo("overloaded_error"));
    }

    @Test
    void toolResultImagesFollowAsAUserMessageAndZeroMaximaOrStructuredOutputAreRefused() throws Exception {
        JsonNode chat = TO_CHAT.request(json("{'max_tokens':10,'messages':[{'role':'assistant','content':[{'type':'tool_use',"
                + "'id':'t1','name':'screenshot','input':{}}]},{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1',"
                + "'content':[{'type':'text','text':'done'},{'type':'image','source':{'type':'base64','media_type':'image/png',"
                + "'data':'QQ=='}}]}]}]}"), "gpt-4o");
        JsonNode messages = chat.path("messages");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(1).path("content").asText()).isEqualTo("done");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(2).path("content").get(0).path("image_url").path("url").asText()).isEqualTo("data:image/png;base64,QQ==");

        assertThatThrownBy(() -> TO_MESSAGES.request(json("{'max_tokens':0,'messages':[]}"), "c")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> TO_CHAT.request(json("{'max_tokens':10,'output_format':{'type':'json_schema'},'messages':[]}"), "m"))
                .hasMessageContaining("output_format");
    }

    private static List<String> types(List<StreamTranslator.Frame> frames) {
        return frames.stream().map(f -> {
            String text = new String(f.raw(), StandardCharsets.UTF_8);
            return text.substring("event: ".length(), text.indexOf('\n'));
        }).toList();
    }

    private static JsonNode data(StreamTranslator.Frame frame) throws Exception {
        String text = new String(frame.raw(), StandardCharsets.UTF_8);
        int at = text.indexOf("data: ") + "data: ".length();
        return Json.parse(text.substring(at).trim());
    }
}
