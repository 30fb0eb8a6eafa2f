package io.tokenrouter.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Anthropic's rate-limit headers read under OpenAI's names. */
class ProviderQuotasTest {

    @Test
    void everyFigureIsReadUnderAnthropicsName() {
        Map<String, String> received = Map.of(
                "anthropic-ratelimit-requests-limit", "50", "anthropic-ratelimit-requests-remaining", "49",
                "anthropic-ratelimit-requests-reset", "2026-12-08T03:00:00Z", "anthropic-ratelimit-tokens-limit", "40000",
                "anthropic-ratelimit-tokens-remaining", "39000", "anthropic-ratelimit-tokens-reset", "2026-12-08T03:00:05Z",
                "request-id", "req_1");
        Function<String, String> headers = ProviderQuotas.anthropic(received::get);

        assertThat(headers.apply("x-ratelimit-limit-requests")).isEqualTo("50");
        assertThat(headers.apply("x-ratelimit-remaining-requests")).isEqualTo("49");
        assertThat(headers.apply("x-ratelimit-reset-requests")).isEqualTo("2026-12-08T03:00:00Z");
        assertThat(headers.apply("x-ratelimit-limit-tokens")).isEqualTo("40000");
        assertThat(headers.apply("x-ratelimit-remaining-tokens")).isEqualTo("39000");
        assertThat(headers.apply("x-ratelimit-reset-tokens")).isEqualTo("2026-12-08T03:00:05Z");
        assertThat(headers.apply("request-id")).as("other names as they are").isEqualTo("req_1");
        assertThat(headers.apply("x-ratelimit-remaining-images")).isNull();
    }
}
