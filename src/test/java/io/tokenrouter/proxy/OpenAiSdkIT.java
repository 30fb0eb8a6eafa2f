package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import java.net.URL;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the deployed gateway: every endpoint, streaming included, and errors. */
class OpenAiSdkIT extends DeployedGateway {

    @ArquillianResource
    URL deployment;

    private OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().apiKey(key).baseUrl(deployment + "v1").maxRetries(0).build();
    }

    private OpenAIClient client() {
        return client(GatewayClient.ADMIN_KEY);
    }

    @Test
    void chatCompletion() {
        ChatCompletion completion = client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mock/gpt-4o").addUserMessage("Say hello").build());

        assertThat(completion.choices().get(0).message().content()).contains("Hello!");
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(15);
    }

    @Test
    void chatCompletionStreaming() {
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("mock/gpt-4o").addUserMessage("Say hello").build())) {
            String text = stream.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse(""))
                    .collect(Collectors.joining());
            assertThat(text).isEqualTo("Hello!");
        }
    }

    @Test
    void completions() {
        Completion completion = client().completions().create(CompletionCreateParams.builder()
                .model("mock/gpt-3.5-turbo-instruct").prompt("Once").build());

        assertThat(completion.choices().get(0).text()).isEqualTo("Once upon a time");
    }

    @Test
    void embeddings() {
        CreateEmbeddingResponse response = client().embeddings().create(EmbeddingCreateParams.builder()
                .model("mock/text-embedding-3-small").input("hello").build());

        assertThat(response.data().get(0).embedding()).containsExactly(0.1f, -0.2f, 0.3f);
        assertThat(response.usage().promptTokens()).isEqualTo(6);
    }

    @Test
    void responses() {
        Response response = client().responses().create(ResponseCreateParams.builder()
                .model("mock/gpt-4o").input("hi").build());

        assertThat(response.id()).isEqualTo("resp_1");
        assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(2);
    }

    @Test
    void responsesStreaming() {
        try (StreamResponse<ResponseStreamEvent> stream = client().responses().createStreaming(
                ResponseCreateParams.builder().model("mock/gpt-4o").input("hi").build())) {
            List<ResponseStreamEvent> events = stream.stream().toList();
            String text = events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                    .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining());
            assertThat(text).isEqualTo("Hi there");
            assertThat(events.get(events.size() - 1).isCompleted()).isTrue();
        }
    }

    @Test
    void modelsListAndRetrieve() {
        List<String> ids = client().models().list().data().stream().map(Model::id).toList();
        assertThat(ids).contains("smart");

        Model alias = client().models().retrieve("smart");
        assertThat(alias.ownedBy()).isEqualTo("tokenrouter");

        // The SDK sends the id as one encoded path segment: /v1/models/mock%2Fgpt-4o
        Model qualified = client().models().retrieve("mock/gpt-4o");
        assertThat(qualified.ownedBy()).isEqualTo("mock");
    }

    @Test
    void errorsSurfaceAsTheSdksTypedExceptions() {
        assertThatThrownBy(() -> client("tr-wrong").models().list())
                .isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> client().models().retrieve("no-such-model"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("off/gpt-4o").addUserMessage("x").build()))
                .isInstanceOf(NotFoundException.class);

        upstream().on("POST", "/v1/chat/completions", Reply.json(429,
                "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}"));
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mock/gpt-4o").addUserMessage("x").build()))
                .isInstanceOf(RateLimitException.class)
                .hasMessageContaining("slow down");

        upstream().on("POST", "/v1/chat/completions", Reply.json(400,
                "{\"error\":{\"message\":\"bad temperature\",\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":null}}"));
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mock/gpt-4o").addUserMessage("x").build()))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("bad temperature");
    }
}
