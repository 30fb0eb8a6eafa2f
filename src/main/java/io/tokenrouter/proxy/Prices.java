package io.tokenrouter.proxy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.RoutePlan;
import io.tokenrouter.store.PriceRepository.Price;
import io.tokenrouter.store.QuotaRepository.Amounts;
import io.tokenrouter.usage.PriceBook;
import java.util.List;

/**
 * The dearest prices a request can be charged at, per million tokens in millionths of a dollar: over every
 * target of its plan (a fallback may be dearer, and so may a model the provider falls back to, named in
 * {@code models}), a prompt token at the larger of the input and cache-write
 * prices and a generated token at the larger of the output and reasoning prices. A target without a price
 * under a cost budget is refused: its requests would otherwise be free.
 */
record Prices(long promptMicros, long completionMicros) {

    /** For requests under no cost budget: nothing to price. */
    static final Prices FREE = new Prices(0, 0);

    static Prices worstOf(RoutePlan plan, PriceBook book) {
        return worstOf(plan.routes(), book);
    }

    static Prices worstOf(List<Route> routes, PriceBook book) {
        long prompt = 0;
        long completion = 0;
        for (Route route : routes) {
            Price price = book.find(route.provider().name(), route.upstreamModel());
            if (price == null) {
                throw new GatewayException(403, "invalid_request_error", "price_missing", "model",
                        "A cost budget applies to this key, and the model '" + route.qualifiedModel() + "' has no price;"
                                + " an administrator must set one (PUT /api/prices, the console's Models page) before it"
                                + " can be used under a budget.");
            }
            // an Anthropic provider may write every prompt token to its 1-hour cache, at its dearer price
            long promptPrice = route.provider().speaksAnthropic() ? PriceBook.hourCacheWriteMicros(price)
                    : Math.max(price.inputMicros(), price.cacheWriteMicros());
            prompt = Math.max(prompt, promptPrice);
            completion = Math.max(completion, Math.max(price.outputMicros(), price.reasoningMicros()));
        }
        return new Prices(prompt, completion);
    }

    /** One request of at most {@code promptTokens} and {@code completionTokens}, and its most cost (rounded up). */
    Amounts ask(long promptTokens, long completionTokens) {
        long tokens = Math.max(1, TokenBudget.saturatedAdd(promptTokens, completionTokens));
        double micros = (promptTokens * (double) promptMicros + completionTokens * (double) completionMicros) / 1_000_000.0;
        long cost = micros >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(micros);
        return new Amounts(1, tokens, cost);
    }
}
