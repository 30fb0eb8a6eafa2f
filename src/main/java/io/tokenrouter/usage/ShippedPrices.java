package io.tokenrouter.usage;

import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.PriceRepository.Price;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The price table the gateway ships ({@code model-prices.csv}, dated): list prices of the presets' common
 * models in dollars per million tokens. Stored at every start (under the cluster's start-up lock), so an
 * upgraded gateway brings its new prices; a price an administrator set is never replaced.
 */
public final class ShippedPrices {

    static final String RESOURCE = "model-prices.csv";

    /** The table's date and its prices (provider "": every provider). */
    public record Table(LocalDate asOf, List<Price> prices) {
    }

    private static volatile Table table;

    private ShippedPrices() {
    }

    /** The shipped table, read once. */
    public static Table table() {
        Table t = table;
        if (t == null) {
            try (InputStream in = ShippedPrices.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("The price table " + RESOURCE + " is missing from the application");
                }
                t = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            table = t;
        }
        return t;
    }

    /** Stores the shipped prices that no administrator overrode; the number of rows written. */
    public static int store(PriceRepository repository) {
        return repository.storeShipped(table().prices());
    }

    /** Parses the table: {@code # as_of: yyyy-mm-dd}, a header, then one model per line. */
    static Table parse(String text) {
        LocalDate asOf = null;
        List<Price> prices = new ArrayList<>();
        boolean header = true;
        int number = 0;
        try (BufferedReader lines = new BufferedReader(new StringReader(text))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                String trimmed = line.trim();
                if (trimmed.startsWith("# as_of:")) {
                    asOf = LocalDate.parse(trimmed.substring("# as_of:".length()).trim());
                } else if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                } else if (header) {
                    header = false;
                } else {
                    prices.add(price(trimmed.split(",", -1), number));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (asOf == null) {
            throw new IllegalStateException("The price table has no '# as_of:' date");
        }
        return new Table(asOf, List.copyOf(prices));
    }

    private static Price price(String[] cells, int line) {
        if (cells.length != 6 || cells[0].isBlank()) {
            throw new IllegalStateException("Line " + line + " of the price table needs six columns and a model");
        }
        long input = micros(cells[1], line);
        long output = micros(cells[2], line);
        long cached = micros(cells[3], line);
        long cacheWrite = cells[4].isBlank() ? input : micros(cells[4], line);
        long reasoning = cells[5].isBlank() ? output : micros(cells[5], line);
        return new Price("", cells[0].trim(), input, output, cached, cacheWrite, reasoning, PriceRepository.SHIPPED);
    }

    /** Dollars per million tokens as millionths of a dollar per million tokens. */
    private static long micros(String dollars, int line) {
        try {
            return new BigDecimal(dollars.trim()).movePointRight(6).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalStateException("Line " + line + " of the price table has a price that is not an amount: "
                    + dollars, e);
        }
    }
}
