package io.tokenrouter.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.api.Usage;
import io.tokenrouter.store.PriceRepository.Price;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cost of a request in millionths of a dollar from prices per million tokens. */
class PriceBookTest {

    private static final PriceBook PRICES = new PriceBook(List.of(
            new Price("", "gpt-4o", 2_500_000, 10_000_000, 1_250_000),
            new Price("azure", "gpt-4o", 3_000_000, 12_000_000, 1_500_000),
            new Price("", "claude-sonnet-4-5", 3_000_000, 15_000_000, 300_000),
            new Price("", "gpt-4o-mini", 150_000, 600_000, 75_000)));

    private static Usage usage(long prompt, long completion, long cached) {
        return new Usage(prompt, completion, cached, 0, false);
    }

    @Test
    void aProvidersOwnPriceWinsOverTheGlobalOne() {
        assertThat(PRICES.costMicros("azure", "gpt-4o", usage(1_000_000, 0, 0))).isEqualTo(3_000_000);
        assertThat(PRICES.costMicros("azure", "gpt-4o", usage(0, 1_000_000, 0))).isEqualTo(12_000_000);
        assertThat(PRICES.costMicros("openai", "gpt-4o", usage(1_000_000, 0, 0))).isEqualTo(2_500_000);
    }

    @Test
    void aDatedModelNameFallsBackToItsFamily() {
        assertThat(PRICES.costMicros("openai", "gpt-4o-2024-08-06", usage(1_000, 100, 0)))
                .isEqualTo(PRICES.costMicros("openai", "gpt-4o", usage(1_000, 100, 0))).isEqualTo(3_500);
        assertThat(PRICES.costMicros("azure", "gpt-4o-2024-11-20", usage(1_000, 0, 0))).isEqualTo(3_000);
        assertThat(PRICES.costMicros("anthropic", "claude-sonnet-4-5-20250929", usage(1_000, 1_000, 0)))
                .isEqualTo(18_000);
        assertThat(PRICES.costMicros("openai", "gpt-4o-mini-2024-07-18", usage(1_000_000, 0, 0))).isEqualTo(150_000);
    }

    @Test
    void aDatedPriceOfItsOwnWinsOverTheFamily() {
        PriceBook prices = new PriceBook(List.of(new Price("", "gpt-4o", 2_500_000, 10_000_000, 1_250_000),
                new Price("", "gpt-4o-2024-05-13", 5_000_000, 15_000_000, 5_000_000)));

        assertThat(prices.costMicros("openai", "gpt-4o-2024-05-13", usage(1_000_000, 0, 0))).isEqualTo(5_000_000);
    }

    @Test
    void cachedPromptTokensAreBilledAtTheCachedPrice() {
        // 600 uncached at 2.5, 400 cached at 1.25, 100 completion at 10 dollars per million
        assertThat(PRICES.costMicros("openai", "gpt-4o", usage(1_000, 100, 400))).isEqualTo(1_500 + 500 + 1_000);
        // more cached than prompt tokens (a provider quirk) bills no more than the whole prompt as cached
        assertThat(PRICES.costMicros("openai", "gpt-4o", usage(1_000, 0, 5_000))).isEqualTo(1_250);
    }

    /** Anthropic's prompt cache: reads at the cached price, writes at the cache-write price, the rest at the input price. */
    @Test
    void cacheWritesAreBilledAtTheCacheWritePrice() {
        PriceBook prices = new PriceBook(List.of(new Price("", "claude-sonnet-4-5", 3_000_000, 15_000_000, 300_000,
                3_750_000, 15_000_000)));
        // 10 input at 3, 30 read at 0.3, 20 written at 3.75, 5 output at 15 dollars per million
        assertThat(prices.costMicros("claude", "claude-sonnet-4-5", new io.tokenrouter.api.Usage(60, 5, 30, 0, false, 20)))
                .isEqualTo((long) Math.ceil((10 * 3.0 + 30 * 0.3 + 20 * 3.75 + 5 * 15.0)));
        // more written than the prompt beyond its reads bills no more than that
        assertThat(prices.costMicros("claude", "claude-sonnet-4-5", new io.tokenrouter.api.Usage(60, 0, 30, 0, false, 999)))
                .isEqualTo((long) Math.ceil(30 * 0.3 + 30 * 3.75));
    }

    /** Anthropic's 1-hour cache: its writes cost twice the input price, the 5-minute ones the cache-write price. */
    @Test
    void writesToTheHourCacheAreBilledAtTwiceTheInputPrice() {
        PriceBook prices = new PriceBook(List.of(new Price("", "claude-sonnet-4-5", 3_000_000, 15_000_000, 300_000,
                3_750_000, 15_000_000)));
        // 10 input at 3, 30 read at 0.3, 5 written for 5 minutes at 3.75 and 15 for an hour at 6, 5 output at 15
        assertThat(prices.costMicros("claude", "claude-sonnet-4-5", new io.tokenrouter.api.Usage(60, 5, 30, 0, false, 20, 15)))
                .isEqualTo((long) Math.ceil(10 * 3.0 + 30 * 0.3 + 5 * 3.75 + 15 * 6.0 + 5 * 15.0));
        // more 1-hour writes than writes bill no more than the writes
        assertThat(prices.costMicros("claude", "claude-sonnet-4-5", new io.tokenrouter.api.Usage(20, 0, 0, 0, false, 20, 999)))
                .isEqualTo((long) Math.ceil(20 * 6.0));
        // a cache-write price above twice the input price is never undercut
        Price dear = new Price("", "m", 1_000_000, 1_000_000, 0, 5_000_000, 1_000_000);
        assertThat(PriceBook.hourCacheWriteMicros(dear)).isEqualTo(5_000_000);
        assertThat(PriceBook.hourCacheWriteMicros(new Price("", "m", Long.MAX_VALUE, 0, 0, 0, 0))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aModelWithoutAPriceCostsNothing() {
        assertThat(PRICES.costMicros("openai", "my-finetune", usage(1_000_000, 1_000_000, 0))).isZero();
        assertThat(PRICES.costMicros("openai", null, usage(1_000_000, 1_000_000, 0))).isZero();
        assertThat(PRICES.costMicros("openai", "gpt-4", usage(1_000_000, 0, 0))).as("a prefix is not a family").isZero();
    }

    @Test
    void costIsRoundedUpToAWholeMicroDollar() {
        // 1 token at 2.5 dollars per million is 2.5 micros; 3 at 0.15 is 0.45: never free, however small
        assertThat(PRICES.costMicros("openai", "gpt-4o", usage(1, 0, 0))).isEqualTo(3);
        assertThat(PRICES.costMicros("openai", "gpt-4o-mini", usage(3, 0, 0))).isEqualTo(1);
        assertThat(PRICES.costMicros("openai", "gpt-4o-mini", usage(0, 0, 0))).isZero();
        // the parts are summed before rounding: 3 uncached (0.45) and 2 cached (0.15) make 0.6, so 1, not 1 + 1
        assertThat(PRICES.costMicros("openai", "gpt-4o-mini", usage(5, 0, 2))).isEqualTo(1);
    }

    @Test
    void aLongRequestDoesNotOverflow() {
        assertThat(PRICES.costMicros("", "claude-sonnet-4-5", usage(2_000_000_000L, 1_000_000_000L, 0)))
                .isEqualTo(6_000_000_000L + 15_000_000_000L);
    }
}
