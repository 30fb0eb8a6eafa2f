package io.tokenrouter.quota;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Amounts of money as the gateway keeps them: whole millionths of a US dollar (micros), so that sums are
 * exact; written in dollars for people and the API.
 */
public final class Money {

    private Money() {
    }

    /** Dollars, exactly, without trailing zeros (and never in exponent notation): {@code 0.0123}, {@code 25}. */
    public static BigDecimal dollars(long micros) {
        BigDecimal d = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    /** {@link #dollars} as text. */
    public static String decimal(long micros) {
        return dollars(micros).toPlainString();
    }

    /** "$0.0123", "$25.00": at least two decimals, as many as the amount has up to six. */
    public static String format(long micros) {
        BigDecimal d = dollars(Math.abs(micros));
        return (micros < 0 ? "-$" : "$") + (d.scale() < 2 ? d.setScale(2) : d).toPlainString();
    }

    /** Micros of a dollar amount a client wrote; null when it has more than six decimals or does not fit. */
    public static Long micros(BigDecimal dollars) {
        try {
            return dollars.movePointRight(6).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }
}
