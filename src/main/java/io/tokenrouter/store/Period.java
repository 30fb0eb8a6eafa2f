package io.tokenrouter.store;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/** The window a quota counts in: for ever, or a minute, an hour, a calendar day, week (from Monday) or month, in UTC. */
public enum Period {
    TOTAL, MINUTE, HOUR, DAY, WEEK, MONTH;

    public static Period parse(String text) {
        return WireNameColumn.parse(Period.class, text);
    }

    /** The wire name, so that a message or a page shows it as the API writes it. */
    @Override
    public String toString() {
        return wireName();
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return WireNameColumn.wireName(this);
    }

    /** The start of the window {@code now} falls in, or null for {@link #TOTAL}. */
    public Instant windowStart(Instant now) {
        if (this == TOTAL) {
            return null;
        }
        if (this == MINUTE || this == HOUR) {
            return now.truncatedTo(this == MINUTE ? ChronoUnit.MINUTES : ChronoUnit.HOURS);
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate start = switch (this) {
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
            default -> day;
        };
        return start.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** When the window {@code now} falls in ends, or null for {@link #TOTAL}. */
    public Instant windowEnd(Instant now) {
        Instant start = windowStart(now);
        if (start == null) {
            return null;
        }
        return switch (this) {
            case MINUTE -> start.plus(1, ChronoUnit.MINUTES);
            case HOUR -> start.plus(1, ChronoUnit.HOURS);
            case DAY -> start.plus(1, ChronoUnit.DAYS);
            case WEEK -> start.plus(7, ChronoUnit.DAYS);
            default -> LocalDate.ofInstant(start, ZoneOffset.UTC).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        };
    }

    public String adjective() {
        return switch (this) {
            case TOTAL -> "total";
            case MINUTE -> "per-minute";
            case HOUR -> "hourly";
            case DAY -> "daily";
            case WEEK -> "weekly";
            case MONTH -> "monthly";
        };
    }

    /** Stored by its wire name, as the column always held it. */
    @jakarta.persistence.Converter
    public static final class Column extends WireNameColumn<Period> {
        public Column() {
            super(Period.class);
        }
    }
}
