package io.tokenrouter.quota;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/** The window a quota counts in: for ever, or a calendar day, week (from Monday) or month, in UTC. */
public enum Period {
    TOTAL, DAY, WEEK, MONTH;

    public static Period parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The start of the window {@code now} falls in, or null for {@link #TOTAL}. */
    public Instant windowStart(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate start = switch (this) {
            case TOTAL -> null;
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
        return start == null ? null : start.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** When the window {@code now} falls in ends, or null for {@link #TOTAL}. */
    public Instant windowEnd(Instant now) {
        Instant start = windowStart(now);
        if (start == null) {
            return null;
        }
        LocalDate day = LocalDate.ofInstant(start, ZoneOffset.UTC);
        LocalDate end = switch (this) {
            case DAY -> day.plusDays(1);
            case WEEK -> day.plusWeeks(1);
            default -> day.plusMonths(1);
        };
        return end.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public String adjective() {
        return switch (this) {
            case TOTAL -> "total";
            case DAY -> "daily";
            case WEEK -> "weekly";
            case MONTH -> "monthly";
        };
    }
}
