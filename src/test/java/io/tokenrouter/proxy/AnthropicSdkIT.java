package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import io.tokenrouter.testing.ScriptedUpstream;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic Java SDK against the deployed gateway's {@code /v1/messages}: to a provider of Anthropic's
 * API (passed through, thinking signatures and cache figures intact) and to an OpenAI-compatible one (translated),
 * streamed and not, with tools, token counts, errors in Anthropic's envelope, quotas and the request log; and the
 * OpenAI SDK's chat completions to the Anthropic provider.
 */
class AnthropicSdkIT extends DeployedGateway {

    private static final String NATIVE = "claude/claude-sonnet-4-5";
    private static final String TRANSLATED = "mock/gpt-4o";

    @ArquillianResource
    URL deployment;

    /** A client as Claude Code makes one: the gateway's key as a bearer token. */
    private AnthropicClient client(String key) {
        return AnthropicOkHttpClient.builder().authToken(key).baseUrl(deployment.toString().replaceAll("/$", ""))
                .maxRetries(0).build();
    }

    private AnthropicClient client() {
        return client(GatewayClient.ADMIN_KEY);
    }

    private GatewayClient gateway() {
        return new GatewayClient(deployment);
    }

    private static MessageCreateParams hello(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(256).system("Be brief.").addUserMessage("Say hello").build();
    }

    @Test
    void aNativeProviderGetsTheBodyAndItsOwnKeyAndTheAnswerComesBackUntouched() {
        Message message = client().messages().create(hello(NATIVE).toBuilder()
                .putAdditionalHeader("anthropic-beta", "interleaved-thinking-2025-05-14").build());

        assertThat(message.model().asString()).isEqualTo(NATIVE);
        ContentBlock thinking = message.content().get(0);
        assertThat(thinking.isThinking()).isTrue();
        assertThat(thinking.asThinking().signature()).isEqualTo(DefaultReplies.SIGNATURE);
        assertThat(message.content().get(1).asText().text()).isEqualTo("Hello from Claude!");
        assertThat(message.usage().cacheReadInputTokens()).contains(30L);
        assertThat(message.usage().cacheCreationInputTokens()).contains(20L);

        ScriptedUpstream.Received sent = upstream().last("POST", "/claude/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo(DefaultReplies.ANTHROPIC_KEY);
        assertThat(sent.header("authorization")).isNull();
        assertThat(sent.header("anthropic-version")).isNotBlank();
        assertThat(sent.header("anthropic-beta")).isEqualTo("interleaved-thinking-2025-05-14");
        JsonNode body = parse(sent.body());
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(body.path("system").asText()).isEqualTo("Be brief.");
    }

    @Test
    void aNativeStreamIsRelayedEventByEventWithItsSignature() {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(hello(NATIVE))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message message = accumulator.message();

        assertThat(message.content().get(0).asThinking().signature()).isEqualTo(DefaultReplies.SIGNATURE);
        assertThat(message.content().get(1).asText().text()).isEqualTo("Hello from Claude!");
        assertThat(message.usage().outputTokens()).isEqualTo(5);
        assertThat(message.usage().inputTokens()).isEqualTo(10);
    }

    /** message_start reports one output token: a stream cut off after it is charged for what it relayed. */
    @Test
    void aNativeStreamCutOffIsChargedForTheTextItRelayed() throws Exception {
        List<String> frames = new java.util.ArrayList<>(DefaultReplies.anthropicEvents("claude-sonnet-4-5").subList(0, 1));
        frames.add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"text\",\"text\":\"\"}}\n\n");
        for (int i = 0; i < 60; i++) {
            frames.add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"word" + i + " \"}}\n\n");
        }
        upstream().on("POST", "/claude/v1/messages", Reply.sseCutOff(frames, 5).rawFrames());

        HttpResponse<String> cut = gateway().send(HttpRequest.newBuilder(gateway().uri("v1/messages"))
                .header("x-api-key", GatewayClient.ADMIN_KEY).header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"model\":\""
                        + NATIVE + "\",\"max_tokens\":500,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"))
                .build());

        assertThat(cut.body()).contains("word30").contains("event: error").doesNotContain("message_stop");
        JsonNode row = gateway().usage(cut.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.path("prompt_tokens").asLong()).as("the prompt as message_start reported it").isEqualTo(60);
        assertThat(row.path("completion_tokens").asLong()).as("the words relayed, not message_start's 1").isGreaterThan(30);
        assertThat(row.path("estimated").asBoolean()).isTrue();
    }

    @Test
    void anOpenAiCompatibleProviderIsTranslatedBothWays() {
        Message message = client().messages().create(hello(TRANSLATED));

        assertThat(message.content().get(0).asText().text()).isEqualTo("Hello!");
        assertThat(message.stopReason().map(Object::toString)).contains("end_turn");
        assertThat(message.usage().inputTokens()).isEqualTo(8);
        assertThat(message.usage().cacheReadInputTokens()).contains(4L);
        JsonNode sent = parse(upstream().last("POST", "/v1/chat/completions").body());
        assertThat(sent.path("model").asText()).isEqualTo("gpt-4o");
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("max_tokens").asLong()).isEqualTo(256);
    }

    @Test
    void aTranslatedStreamArrivesAsAnthropicsEvents() {
        List<RawMessageStreamEvent> events;
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(hello(TRANSLATED))) {
            events = stream.stream().peek(accumulator::accumulate).toList();
        }
        assertThat(events.get(0).isMessageStart()).isTrue();
        assertThat(events.get(0).asMessageStart().message().usage().inputTokens())
                .as("the prompt's count, not 0, when the stream starts").isPositive();
        assertThat(events.get(events.size() - 1).isMessageStop()).isTrue();
        Message message = accumulator.message();
        assertThat(message.content().get(0).asText().text()).isEqualTo("Hello!");
        assertThat(message.usage().outputTokens()).isEqualTo(3);
    }

    @Test
    void toolsAreTranslatedBothWays() {
        upstream().on("POST", "/v1/chat/completions", Reply.json(200, "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion\","
                + "\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}"));
        Tool weather = Tool.builder().name("weather").description("The weather of a city")
                .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .required(List.of("city")).build()).build();

        Message message = client().messages().create(MessageCreateParams.builder().model(TRANSLATED).maxTokens(100)
                .addTool(weather).addUserMessage("Weather in Oslo?").build());

        ContentBlock use = message.content().get(0);
        assertThat(use.isToolUse()).isTrue();
        assertThat(use.asToolUse().name()).isEqualTo("weather");
        assertThat(use.asToolUse().id()).isEqualTo("call_1");
        assertThat(use.asToolUse()._input().convert(Map.class)).containsEntry("city", "Oslo");
        assertThat(message.stopReason().map(Object::toString)).contains("tool_use");
        JsonNode sent = parse(upstream().last("POST", "/v1/chat/completions").body());
        assertThat(sent.path("tools").get(0).path("function").path("name").asText()).isEqualTo("weather");
        assertThat(sent.path("tools").get(0).path("function").path("parameters").path("required").get(0).asText()).isEqualTo("city");
    }

    @Test
    void tokensAreCountedByTheNativeProviderOrByTheGateway() {
        long nativeCount = client().messages().countTokens(MessageCountTokensParams.builder().model(NATIVE)
                .addUserMessage("Say hello").build()).inputTokens();
        assertThat(nativeCount).isEqualTo(42);
        assertThat(upstream().last("POST", "/claude/v1/messages/count_tokens").header("x-api-key"))
                .isEqualTo(DefaultReplies.ANTHROPIC_KEY);

        long counted = client().messages().countTokens(MessageCountTokensParams.builder().model(TRANSLATED)
                .addUserMessage("Say hello to the whole wide world").build()).inputTokens();
        assertThat(counted).isBetween(5L, 40L);
        assertThat(upstream().received()).noneMatch(r -> r.path().contains("count_tokens") && !r.path().startsWith("/claude"));
    }

    @Test
    void errorsComeInAnthropicsEnvelopeAsTheSdksTypedExceptions() throws Exception {
        assertThatThrownBy(() -> client("tr-wrong").messages().create(hello(NATIVE))).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> client().messages().create(hello("nowhere/model"))).isInstanceOf(NotFoundException.class);

        upstream().on("POST", "/claude/v1/messages", Reply.json(429, "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"rate_limit_error\",\"message\":\"slow down\"}}", "retry-after", "7"));
        assertThatThrownBy(() -> client().messages().create(hello(NATIVE))).isInstanceOf(RateLimitException.class)
                .hasMessageContaining("slow down");

        upstream().on("POST", "/v1/chat/completions", Reply.json(400, "{\"error\":{\"message\":\"bad temperature\","
                + "\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":null}}"));
        assertThatThrownBy(() -> client().messages().create(hello(TRANSLATED))).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("bad temperature");

        HttpResponse<String> refused = gateway().send(HttpRequest.newBuilder(gateway().uri("v1/messages"))
                .header("x-api-key", GatewayClient.ADMIN_KEY).header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"model\":\""
                        + TRANSLATED + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":"
                        + "\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"sig\"}]},"
                        + "{\"role\":\"user\",\"content\":\"go on\"}]}")).build());
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode envelope = GatewayClient.json(refused.body());
        assertThat(envelope.path("type").asText()).isEqualTo("error");
        assertThat(envelope.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(envelope.path("error").path("message").asText()).contains("thinking");

        HttpResponse<String> unknownKey = gateway().send(HttpRequest.newBuilder(gateway().uri("v1/messages"))
                .header("x-api-key", "tr-nope").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(unknownKey.statusCode()).isEqualTo(401);
        assertThat(GatewayClient.json(unknownKey.body()).path("error").path("type").asText()).isEqualTo("authentication_error");
    }

    @Test
    void quotasAndTheRequestLogApplyToMessages() throws Exception {
        HttpResponse<String> created = gateway().post("api/keys", "{\"name\":\"messages-" + UUID.randomUUID()
                + "\",\"role\":\"inferrer\",\"quotas\":[{\"metric\":\"requests\",\"period\":\"total\",\"limit\":1},"
                + "{\"metric\":\"tokens\",\"period\":\"total\",\"limit\":100000}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = GatewayClient.json(created.body()).path("key").asText();

        HttpResponse<String> first = gateway().send(HttpRequest.newBuilder(gateway().uri("v1/messages?beta=true"))
                .header("x-api-key", key).header("anthropic-version", "2023-06-01").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + NATIVE + "\",\"max_tokens\":100,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(upstream().received()).as("the SDKs' beta query goes on to Anthropic")
                .anyMatch(r -> r.path().equals("/claude/v1/messages?beta=true"));
        assertThatThrownBy(() -> client(key).messages().create(hello(NATIVE))).isInstanceOf(RateLimitException.class);

        JsonNode row = gateway().usage(first.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.path("endpoint").asText()).isEqualTo("messages");
        assertThat(row.path("provider").asText()).isEqualTo("claude");
        assertThat(row.path("prompt_tokens").asLong()).as("input, cache reads and cache writes").isEqualTo(60);
        assertThat(row.path("completion_tokens").asLong()).isEqualTo(5);
        assertThat(row.path("cached_tokens").asLong()).isEqualTo(30);
    }

    @Test
    void theModelListAndItsErrorsReadAsAnthropicsToo() {
        List<String> ids = client().models().list().data().stream().map(com.anthropic.models.models.ModelInfo::id).toList();
        assertThat(ids).contains(NATIVE, TRANSLATED);
        com.anthropic.models.models.ModelInfo model = client().models().retrieve(NATIVE);
        assertThat(model.displayName()).isEqualTo(NATIVE);
        assertThat(model.createdAt()).isNotNull();
        assertThatThrownBy(() -> client().models().retrieve("nowhere/model")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("not_found_error");
    }

    @Test
    void openAiClientsReachTheAnthropicProviderThroughTranslation() {
        OpenAIClient openAi = OpenAIOkHttpClient.builder().apiKey(GatewayClient.ADMIN_KEY).baseUrl(deployment + "v1")
                .maxRetries(0).build();
        ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(NATIVE).addSystemMessage("Be brief.").addUserMessage("Say hello").build());
        assertThat(completion.choices().get(0).message().content()).contains("Hello from Claude!");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(60);
        JsonNode sent = parse(upstream().last("POST", "/claude/v1/messages").body());
        assertThat(sent.path("system").asText()).isEqualTo("Be brief.");
        assertThat(sent.path("max_tokens").asLong()).isPositive();

        try (com.openai.core.http.StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(NATIVE).addUserMessage("Say hello").build())) {
            String text = stream.stream().flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
            assertThat(text).isEqualTo("Hello from Claude!");
        }
    }

    private static JsonNode parse(String body) {
        try {
            return GatewayClient.json(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
