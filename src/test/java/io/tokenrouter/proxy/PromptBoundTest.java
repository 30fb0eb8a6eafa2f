package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.usage.TokenEstimator;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 25 items 1 and 2: what a request reserves for its prompt is an upper bound of everything it sends,
 * token-id arrays and tools included, decided from its size first and tokenised only when that does not do.
 */
class PromptBoundTest {

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode body(byte[] json) throws Exception {
        return (ObjectNode) Json.parse(json);
    }

    /** Four arrays of 8,000 token ids: 32,000 tokens at the provider; the old estimate counted one. */
    @Test
    void tokenIdArraysAreBoundedByTheirLength() throws Exception {
        String ids = IntStream.range(0, 8000).mapToObj(i -> "1").collect(Collectors.joining(","));
        byte[] json = bytes("{\"model\":\"m\",\"input\":[[" + ids + "],[" + ids + "],[" + ids + "],[" + ids + "]]}");
        ObjectNode body = body(json);

        long byBytes = PromptBound.ofBytes(json.length, body);
        long byTokens = PromptBound.ofTokens(body, byBytes);

        assertThat(byBytes).isGreaterThanOrEqualTo(32_000);
        assertThat(byTokens).isGreaterThanOrEqualTo(32_000).isLessThanOrEqualTo(byBytes);
        assertThat(TokenEstimator.promptTokens(body)).isGreaterThanOrEqualTo(32_000);
    }

    /** Large token ids are several bytes each; the bound still holds, and the tokenizer's bound is tighter. */
    @Test
    void theTokenizersBoundNeverExceedsTheByteBound() throws Exception {
        String ids = IntStream.range(0, 3000).mapToObj(i -> "199999").collect(Collectors.joining(","));
        byte[] json = bytes("{\"prompt\":[" + ids + "],\"max_tokens\":5}");
        ObjectNode body = body(json);

        long byBytes = PromptBound.ofBytes(json.length, body);
        assertThat(PromptBound.ofTokens(body, byBytes)).isBetween(3000L, byBytes);
    }

    /** 200 KB of tools: every field that reaches the tokenizer counts, not only messages. */
    @Test
    void toolsAndSchemasCount() throws Exception {
        String description = "word ".repeat(40_000);
        byte[] json = bytes("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"description\":\"" + description + "\",\"parameters\":{\"type\":\"object\"}}}],"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\",\"schema\":{\"description\":\""
                + description + "\"}}}}");
        ObjectNode body = body(json);

        assertThat(PromptBound.ofTokens(body, PromptBound.ofBytes(json.length, body))).isGreaterThanOrEqualTo(80_000);
    }

    /** A small image can cost far more tokens than its bytes: each image or audio part counts the ceiling. */
    @Test
    void imagesAndAudioCountTheirCeiling() throws Exception {
        byte[] json = bytes("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x.example/a.png\"}},"
                + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAAA\",\"format\":\"wav\"}}]}]}");
        ObjectNode body = body(json);

        assertThat(PromptBound.mediaParts(body)).isEqualTo(2);
        assertThat(PromptBound.ofBytes(json.length, body)).isEqualTo(json.length + 2 * PromptBound.MEDIA_TOKENS);
        assertThat(PromptBound.ofTokens(body, Long.MAX_VALUE)).isGreaterThan(2 * PromptBound.MEDIA_TOKENS);
    }

    /** Numbers outside token-id arrays count every character: a 13-digit enum value is several tokens. */
    @Test
    void numbersElsewhereCountTheirLength() throws Exception {
        String values = IntStream.range(0, 2000).mapToObj(i -> Long.toString(1_000_000_000_000L + i)).collect(Collectors.joining(","));
        byte[] json = bytes("{\"messages\":[{\"role\":\"user\",\"content\":\"pick\"}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"x\":{\"enum\":["
                + values + "]}}}}}],\"temperature\":0.25,\"stream\":false}");
        ObjectNode body = body(json);

        assertThat(PromptBound.ofTokens(body, Long.MAX_VALUE)).isGreaterThanOrEqualTo(2000L * 13);
    }

    /** Text beyond ASCII counts its UTF-8 bytes: a byte-fallback tokenizer may spend a token on each. */
    @Test
    void textBeyondAsciiCountsItsBytes() throws Exception {
        String text = "日本語のテキスト🙂".repeat(500);
        byte[] json = bytes("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
        ObjectNode body = body(json);

        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        assertThat(PromptBound.ofTokens(body, Long.MAX_VALUE)).isGreaterThanOrEqualTo(bytes);
        assertThat(PromptBound.ofTokens(body, PromptBound.ofBytes(json.length, body))).isLessThanOrEqualTo(json.length);
    }

    /** Text beyond what is ever tokenised is not tokenised: the byte bound alone decides such a request. */
    @Test
    void aHugeTextIsNeverTokenised() throws Exception {
        String text = "a b c ".repeat(PromptBound.MAX_TOKENIZED_CHARS / 5);
        byte[] json = bytes("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");

        assertThat(PromptBound.ofTokens(body(json), json.length)).isEqualTo(-1);
    }

    /** The tokenizer's count has a margin for providers whose vocabularies are smaller. */
    @Test
    void plainTextIsCountedWithAMargin() throws Exception {
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(100);
        byte[] json = bytes("{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\""
                + text + "\"}]}");
        ObjectNode body = body(json);

        long plain = TokenEstimator.count(text);
        assertThat(PromptBound.ofTokens(body, Long.MAX_VALUE)).isGreaterThanOrEqualTo((long) (plain * PromptBound.TOKENIZER_MARGIN));
        assertThat(PromptBound.ofTokens(body, Long.MAX_VALUE)).isLessThan(json.length);
    }
}
