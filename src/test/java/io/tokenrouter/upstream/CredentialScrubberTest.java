package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A provider's own keys are removed from what it answers, raw or JSON-escaped; nothing else changes. */
class CredentialScrubberTest {

    private static final String KEY = "sk-proj-abc/def+ghi\"jkl";

    @Test
    void everyKeyOfThePoolIsRemovedAsItIsAndAsJsonWritesIt() {
        CredentialScrubber scrubber = CredentialScrubber.of(Arrays.asList("gsk_second_key_0123", KEY, null));
        String body = "{\"error\":{\"message\":\"Key sk-proj-abc\\/def+ghi\\\"jkl is not allowed; nor gsk_second_key_0123\"}}"
                + " raw: " + KEY;

        String scrubbed = new String(scrubber.scrub(body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);

        assertThat(scrubbed).isEqualTo("{\"error\":{\"message\":\"Key [provider key] is not allowed; nor [provider key]\"}}"
                + " raw: [provider key]");
        assertThat(scrubber.scrub("header " + KEY)).isEqualTo("header [provider key]");
        assertThat(scrubber.isIn("model-" + KEY)).isTrue();
    }

    @Test
    void anAnswerWithoutAKeyIsTheSameArrayAndShortPlaceholdersAreNoSecrets() {
        CredentialScrubber scrubber = CredentialScrubber.of(List.of(KEY, "ollama"));
        byte[] clean = "{\"content\":\"ollama is running\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(scrubber.scrub(clean)).isSameAs(clean);
        assertThat(CredentialScrubber.of(List.of("short")).scrub("short")).isEqualTo("short");
        assertThat(CredentialScrubber.NONE.scrub(clean)).isSameAs(clean);
    }

    /** A token a service key was exchanged for is removed as well as the provider's own credentials. */
    @Test
    void aTokenIsAddedToWhatIsRemoved() {
        CredentialScrubber scrubber = CredentialScrubber.of(List.of(KEY)).and("eyJhbGciOiJSUzI1NiJ9.token");
        assertThat(scrubber.scrub("echo " + KEY + " and eyJhbGciOiJSUzI1NiJ9.token"))
                .isEqualTo("echo " + CredentialScrubber.MARK + " and " + CredentialScrubber.MARK);
        CredentialScrubber same = CredentialScrubber.of(List.of(KEY));
        assertThat(same.and(null)).isSameAs(same);
        assertThat(CredentialScrubber.NONE.and("eyJhbGciOiJSUzI1NiJ9.token").isIn("x eyJhbGciOiJSUzI1NiJ9.token")).isTrue();
    }
}
