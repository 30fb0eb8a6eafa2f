package io.tokenrouter.usage;

import io.tokenrouter.api.Usage;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.PriceRepository.Price;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prices in memory: a provider's own price for a model wins over the global one; a dated model name
 * ({@code gpt-4o-2024-08-06}) falls back to its undated family. Immutable; rebuilt when prices change.
 */
public final class PriceBook {

    /** Prices by provider (the global ones under {@code ""}) and model: a lookup builds no key. */
    private final Map<String, Map<String, Price>> prices = new HashMap<>();

    public PriceBook(List<Price> rows) {
        rows.forEach(p -> prices.computeIfAbsent(String.valueOf(p.provider()), k -> new HashMap<>()).put(p.model(), p));
    }

    public static PriceBook load(PriceRepository repository) {
        return new PriceBook(repository.findAll());
    }

    /**
     * The cost in millionths of a dollar (rounded up), or 0 for a model without a price: uncached prompt tokens
     * at the input price, cached ones at the cached price, those written to a cache at the cache-write price (to
     * Anthropic's 1-hour cache at {@link #hourCacheWriteMicros}), reasoning tokens at the reasoning price and the
     * other completion tokens at the output price.
     */
    public long costMicros(String provider, String model, Usage usage) {
        Price price = find(provider, model);
        if (price == null) {
            return 0;
        }
        long prompt = Math.max(0, usage.promptTokens());
        long cached = Math.max(0, Math.min(usage.cachedTokens(), prompt));
        long completion = Math.max(0, usage.completionTokens());
        long reasoning = Math.max(0, Math.min(usage.reasoningTokens(), completion));
        long written = Math.max(0, Math.min(usage.cacheWriteTokens(), prompt - cached));
        long hour = Math.max(0, Math.min(usage.hourCacheWriteTokens(), written));
        double micros = ((prompt - cached - written) * (double) price.inputMicros()
                + cached * (double) price.cachedInputMicros()
                + (written - hour) * (double) price.cacheWriteMicros()
                + hour * (double) hourCacheWriteMicros(price)
                + reasoning * (double) price.reasoningMicros()
                + (completion - reasoning) * (double) price.outputMicros()) / 1_000_000.0;
        return micros >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(micros);
    }

    /**
     * The price of a token written to Anthropic's 1-hour cache: twice the input price, as Anthropic prices it (its
     * default 5-minute writes cost 1.25 times), and never less than the model's cache-write price.
     */
    public static long hourCacheWriteMicros(Price price) {
        long twice = price.inputMicros() > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : price.inputMicros() * 2;
        return Math.max(twice, price.cacheWriteMicros());
    }

    /** The price of a model at a provider: its own, else the global one, also for dated model names; or null. */
    public Price find(String provider, String model) {
        if (model == null) {
            return null;
        }
        Price price = ownOrGlobal(provider, model);
        if (price != null) {
            return price;
        }
        String undated = EIGHT_DIGITS.matcher(DASHED_DATE.matcher(model).replaceFirst("")).replaceFirst("");
        return undated.equals(model) ? null : ownOrGlobal(provider, undated);
    }

    private static final Pattern DASHED_DATE = Pattern.compile("-\\d{4}-\\d{2}-\\d{2}$");
    private static final Pattern EIGHT_DIGITS = Pattern.compile("-\\d{8}$");

    private Price ownOrGlobal(String provider, String model) {
        Map<String, Price> ofProvider = prices.get(provider);
        Price own = ofProvider == null ? null : ofProvider.get(model);
        if (own != null) {
            return own;
        }
        Map<String, Price> global = prices.get("");
        return global == null ? null : global.get(model);
    }
}
