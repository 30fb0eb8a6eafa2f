package io.tokenrouter.store;

import java.time.Instant;

/**
 * The one rule for a quota's window, in Java and in SQL: a row counts in the window its {@code window_start}
 * names; once {@code now} is in a later window of its period (or it never started one), what it used belongs
 * to the past and counts as nothing, until the row is rolled into the current window. A total limit is never
 * stale. {@link #STALE_SQL} is this rule over the {@code quotas} columns; a test holds the two forms together.
 */
public final class QuotaWindow {

    /**
     * The start of the current window of the row's period, from five parameters bound in this order: the
     * current minute's, hour's, day's, week's and month's start (see {@code QuotaRepository.Windows}).
     */
    static final String CURRENT_SQL = "case period when 'minute' then ? when 'hour' then ? when 'day' then ?"
            + " when 'week' then ? else ? end";

    /** {@link #stale(Instant, Instant)} over the columns {@code period} and {@code window_start}. */
    static final String STALE_SQL = staleSql(CURRENT_SQL);

    private QuotaWindow() {
    }

    /** Whether a row of {@code period} whose window started at {@code rowStart} holds a past window's count at {@code now}. */
    public static boolean stale(Period period, Instant rowStart, Instant now) {
        return stale(rowStart, period.windowStart(now));
    }

    /** {@link #stale(Period, Instant, Instant)} given the start of the current window (null for a total limit). */
    public static boolean stale(Instant rowStart, Instant current) {
        return current != null && (rowStart == null || rowStart.isBefore(current));
    }

    /** What {@code row} has used in the window {@code now} falls in: nothing once its window is past. */
    public static long usedNow(Quota row, Instant now) {
        return stale(row.getPeriod(), row.getWindowStart(), now) ? 0 : row.getUsed();
    }

    /** The rule in SQL, with {@code current} the SQL expression of the current window's start. */
    static String staleSql(String current) {
        return "(period <> 'total' and (window_start is null or window_start < " + current + "))";
    }
}
