package io.tokenrouter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.upstream.ProviderPreset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a provider's model list is kept as, and which presets forward models their list leaves out. */
class ProviderProbeServiceTest {

    @Test
    void listedIdsLoseTheModelsPrefixAndAreKeptOnceWithinBounds() throws Exception {
        String body = "{\"data\":[{\"id\":\"models/gemini-2.0-flash\"},{\"id\":\"gemini-2.0-flash\"},{\"id\":\"  spaced  \"},"
                + "{\"id\":\"\"},{\"id\":\"" + "x".repeat(301) + "\"},{\"object\":\"model\"},{\"id\":\"models/\"}]}";

        assertThat(ProviderProbeService.parseModels(body.getBytes(StandardCharsets.UTF_8)))
                .containsExactly("gemini-2.0-flash", "spaced", "models/");
    }

    @Test
    void presetsKnownToListOnlyPartOfWhatTheyServeForwardTheRest() {
        assertThat(ProviderPreset.forwardsUnlistedByDefault("gemini")).isTrue();
        assertThat(ProviderPreset.forwardsUnlistedByDefault("fireworks")).isTrue();
        assertThat(ProviderPreset.forwardsUnlistedByDefault("llamacpp")).isTrue();
        assertThat(ProviderPreset.forwardsUnlistedByDefault("openai")).isFalse();
        assertThat(ProviderPreset.forwardsUnlistedByDefault(null)).as("no preset: its list is taken at its word").isFalse();
    }
}
