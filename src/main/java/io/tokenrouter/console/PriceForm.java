package io.tokenrouter.console;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.observe.PriceDraft;
import io.tokenrouter.quota.Money;
import io.tokenrouter.store.PriceRepository;
import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A price being edited on the Models page, in US dollars per million tokens as people write them; empty
 * cached, cache-write and reasoning prices take the input and output prices.
 */
public class PriceForm implements Serializable {

    private static final long serialVersionUID = 1L;

    private String provider = "";
    private String model;
    private BigDecimal input;
    private BigDecimal cachedInput;
    private BigDecimal cacheWrite;
    private BigDecimal output;
    private BigDecimal reasoning;
    private boolean existing;

    static PriceForm of(PriceRepository.Price p) {
        PriceForm form = new PriceForm();
        form.provider = p.provider();
        form.model = p.model();
        form.input = Money.dollars(p.inputMicros());
        form.cachedInput = Money.dollars(p.cachedInputMicros());
        form.cacheWrite = Money.dollars(p.cacheWriteMicros());
        form.output = Money.dollars(p.outputMicros());
        form.reasoning = Money.dollars(p.reasoningMicros());
        form.existing = true;
        return form;
    }

    /** The price to store; a 400 naming the field when an amount has more than six decimals. */
    PriceDraft draft() {
        return new PriceDraft(provider, model, micros("input_micros", input), micros("output_micros", output),
                micros("cached_input_micros", cachedInput), micros("cache_write_micros", cacheWrite),
                micros("reasoning_micros", reasoning));
    }

    private static Long micros(String field, BigDecimal dollars) {
        if (dollars == null) {
            return null;
        }
        Long micros = Money.micros(dollars);
        if (micros == null) {
            throw GatewayException.invalidRequest(field, "A price has at most six decimals.");
        }
        return micros;
    }

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider == null ? "" : provider;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public BigDecimal getInput() {
        return input;
    }

    public void setInput(BigDecimal input) {
        this.input = input;
    }

    public BigDecimal getCachedInput() {
        return cachedInput;
    }

    public void setCachedInput(BigDecimal cachedInput) {
        this.cachedInput = cachedInput;
    }

    public BigDecimal getCacheWrite() {
        return cacheWrite;
    }

    public void setCacheWrite(BigDecimal cacheWrite) {
        this.cacheWrite = cacheWrite;
    }

    public BigDecimal getOutput() {
        return output;
    }

    public void setOutput(BigDecimal output) {
        this.output = output;
    }

    public BigDecimal getReasoning() {
        return reasoning;
    }

    public void setReasoning(BigDecimal reasoning) {
        this.reasoning = reasoning;
    }

    /** Whether it edits a price that exists (its provider and model stay). */
    public boolean isExisting() {
        return existing;
    }
}
