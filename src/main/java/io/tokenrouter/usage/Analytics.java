package io.tokenrouter.usage;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.RollupDelta;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Usage analytics over a time range, grouped by provider, model, team, key or client IP, with a time
 * series in buckets that fit the range. Reads only the aggregates the writer maintains (per minute for
 * ranges up to a day, per hour beyond), so the cost depends on the range and the number of groups,
 * not on how many requests were logged.
 */
@ApplicationScoped
public class Analytics {

    public static final Set<String> GROUPS = Set.of(Rollups.DIMENSIONS);
    private static final long[] NICE_SECONDS = {60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400};

    @Inject
    RequestLogRepository log;

    /** Figures of one group over the range, or of one time bucket. */
    public record Figures(long requests, long refusals, long errors, double errorRate, long promptTokens, long completionTokens,
                          long totalTokens, double cost, double latencyP50Ms, double latencyP95Ms, Double avgTtftMs,
                          Double avgTokensPerSecond) {

        static Figures of(RollupDelta d) {
            return new Figures(d.requests, d.refusals, d.errors, d.requests == 0 ? 0 : (double) d.errors / d.requests,
                    d.promptTokens, d.completionTokens, RollupDelta.plus(d.promptTokens, d.completionTokens), d.costMicros / 1_000_000.0,
                    Math.round(d.latencyQuantile(0.5)), Math.round(d.latencyQuantile(0.95)),
                    d.ttftCount == 0 ? null : (double) d.ttftMsSum / d.ttftCount,
                    d.tpsCount == 0 ? null : d.tpsSum / d.tpsCount);
        }
    }

    /** One point of a series: the start of its bucket and its figures. */
    public record Point(Instant t, Figures figures) {
    }

    /** One group (a provider, a model, …): totals over the range and the series. */
    public record Group(String value, Figures totals, List<Point> series) {
    }

    /** The answer: the range, the bucket width, overall totals and the groups (largest first). */
    public record Report(Instant from, Instant to, String groupBy, long bucketSeconds, Figures totals, List<Group> groups) {
    }

    /** The longest range one report covers: the hourly aggregates' default retention. */
    public static final Duration MAX_RANGE = Duration.ofDays(400);

    /**
     * The report over [from, to) grouped by {@code groupBy}; with {@code keyIds} not null, only those keys'
     * usage (grouped by key), filtered in the database.
     */
    public Report report(Instant from, Instant to, String groupBy, java.util.Collection<Long> keyIds) {
        if (!GROUPS.contains(groupBy)) {
            throw GatewayException.invalidRequest("group_by", "group_by must be one of " + new java.util.TreeSet<>(GROUPS) + ".");
        }
        if (!from.isBefore(to)) {
            throw GatewayException.invalidRequest("from", "from must be before to.");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw GatewayException.invalidRequest("from", "A usage report covers at most " + MAX_RANGE.toDays() + " days.");
        }
        if (keyIds != null && !groupBy.equals("key")) {
            throw GatewayException.forbidden("Only admins may group usage by anything but key.");
        }
        Duration range = Duration.between(from, to);
        int source = range.compareTo(Duration.ofHours(24)) <= 0 ? 60 : 3600;
        long bucket = bucketSeconds(range, source);
        Map<String, TreeMap<Long, RollupDelta>> groups = new LinkedHashMap<>();
        Map<String, RollupDelta> totals = new LinkedHashMap<>();
        RollupDelta overall = new RollupDelta(source, groupBy, "*", from);
        Instant alignedFrom = from.minusSeconds(from.getEpochSecond() % source);
        for (RollupDelta row : log.rollups(source, groupBy, alignedFrom, to, keyIds)) {
            long slot = (row.bucketStart.getEpochSecond() - alignedFrom.getEpochSecond()) / bucket;
            groups.computeIfAbsent(row.dimValue, k -> new TreeMap<>())
                    .computeIfAbsent(slot, k -> new RollupDelta(source, groupBy, row.dimValue,
                            alignedFrom.plusSeconds(k * bucket))).add(row);
            totals.computeIfAbsent(row.dimValue, k -> new RollupDelta(source, groupBy, k, from)).add(row);
            overall.add(row);
        }
        List<Group> result = new ArrayList<>();
        groups.forEach((value, series) -> result.add(new Group(value, Figures.of(totals.get(value)),
                series.values().stream().map(d -> new Point(d.bucketStart, Figures.of(d))).toList())));
        result.sort(Comparator.comparingLong((Group g) -> g.totals().requests()).reversed());
        return new Report(from, to, groupBy, bucket, Figures.of(overall), result);
    }

    /** About 60 to 120 points over the range, on a round width, never finer than the source. */
    static long bucketSeconds(Duration range, int source) {
        long target = Math.max(source, range.toSeconds() / 100);
        for (long nice : NICE_SECONDS) {
            if (nice >= target) {
                return Math.max(nice, source);
            }
        }
        return NICE_SECONDS[NICE_SECONDS.length - 1];
    }
}
