package io.tokenrouter.observe;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.PriceRepository;

/**
 * A price an administrator sets, per million tokens in millionths of a dollar ({@code 2500000} is $2.50):
 * {@code input_micros} and {@code output_micros} are required; cached input defaults to the input price,
 * cache writes to the input price and reasoning tokens to the output price. {@code provider} absent or ""
 * sets the price at every provider that serves the model under this name.
 */
public record PriceDraft(
        @Schema(description = "the provider the price is for; absent or empty: every provider") String provider,
        @Schema(description = "the model as the provider names it", example = "gpt-4o") String model,
        @Schema(description = "millionths of a dollar per million input tokens", example = "2500000") Long inputMicros,
        @Schema(description = "per million output tokens", example = "10000000") Long outputMicros,
        @Schema(description = "per million cached input tokens read; absent: the input price") Long cachedInputMicros,
        @Schema(description = "per million input tokens written to a cache; absent: the input price") Long cacheWriteMicros,
        @Schema(description = "per million reasoning tokens; absent: the output price") Long reasoningMicros) {

    /** $1,000,000 per million tokens: beyond any real price, far from where cost arithmetic could overflow. */
    static final long MAX_MICROS = 1_000_000_000_000L;

    /** The price as stored, or a 400 naming the field that is wrong. */
    PriceRepository.Price validated() {
        if (model == null || model.isBlank()) {
            throw GatewayException.invalidRequest("model", "model is required.");
        }
        if (model.trim().length() > 300 || (provider != null && provider.trim().length() > 100)) {
            throw GatewayException.invalidRequest("model", "model must be at most 300 characters, provider at most 100.");
        }
        long input = amount("input_micros", inputMicros, null);
        long output = amount("output_micros", outputMicros, null);
        return new PriceRepository.Price(provider == null ? "" : provider.trim(), model.trim(), input, output,
                amount("cached_input_micros", cachedInputMicros, input), amount("cache_write_micros", cacheWriteMicros, input),
                amount("reasoning_micros", reasoningMicros, output), PriceRepository.ADMIN);
    }

    private static long amount(String field, Long value, Long fallback) {
        if (value == null) {
            if (fallback == null) {
                throw GatewayException.invalidRequest(field, field + " is required (millionths of a dollar per million"
                        + " tokens: 2500000 is $2.50).");
            }
            return fallback;
        }
        if (value < 0 || value > MAX_MICROS) {
            throw GatewayException.invalidRequest(field, field + " must be from 0 to " + MAX_MICROS
                    + " (millionths of a dollar per million tokens), not " + value + ".");
        }
        return value;
    }
}
