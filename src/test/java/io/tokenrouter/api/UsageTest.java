package io.tokenrouter.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 25 item 3: what a provider reports is kept within what the request can have cost. */
class UsageTest {

    @Test
    void plausibleFiguresAreKeptAsTheyAre() {
        Usage usage = new Usage(900, 400, 100, 50, false);
        assertThat(usage.within(1000, 500)).isSameAs(usage);
    }

    @Test
    void negativeFiguresBecomeZero() {
        assertThat(new Usage(-999_418_131, -5, -1, -2, false).within(1000, 500)).isEqualTo(new Usage(0, 0, 0, 0, false));
    }

    @Test
    void hugeFiguresAreCutAtTheBounds() {
        assertThat(new Usage(4_600_000_000_000_000_000L, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, true).within(1000, 500))
                .isEqualTo(new Usage(1000, 500, 1000, 500, true));
    }

    @Test
    void cachedAndReasoningTokensAreNeverMoreThanTheirWhole() {
        assertThat(new Usage(100, 10, 300, 20, false).within(1000, 500)).isEqualTo(new Usage(100, 10, 100, 10, false));
    }

    @Test
    void cacheWritesAreNeverMoreThanThePromptBeyondItsCacheReads() {
        assertThat(new Usage(100, 10, 30, 0, false, 500).within(1000, 500)).isEqualTo(new Usage(100, 10, 30, 0, false, 70));
        assertThat(new Usage(100, 10, 30, 0, false, 20).max(new Usage(50, 40, 0, 0, false, 0)))
                .isEqualTo(new Usage(100, 40, 30, 0, false, 20));
    }
}
