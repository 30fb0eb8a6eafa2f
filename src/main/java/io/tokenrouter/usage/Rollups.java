package io.tokenrouter.usage;

import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.RollupDelta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregates of logged requests: per minute and per hour, in each dimension analytics groups by (all, provider,
 * model, team, key, client address), each a {@link RollupDelta} added to its bucket by the log writer.
 */
final class Rollups {

    /** The dimensions every request is aggregated in, which are also what analytics may group by. */
    static final String[] DIMENSIONS = {"all", "provider", "model", "team", "key", "ip"};
    /** The aggregates' time buckets: minutes and hours. */
    private static final int[] BUCKET_SECONDS = {60, 3600};
    /** The order every node upserts aggregates in, so that two nodes' batches never deadlock. */
    private static final Comparator<RollupDelta> UPSERT_ORDER =
            Comparator.<RollupDelta>comparingInt(d -> d.bucketSeconds).thenComparing(d -> d.dim)
                    .thenComparing(d -> d.dimValue).thenComparing(d -> d.bucketStart);

    private Rollups() {
    }

    /**
     * The aggregates of a batch, in {@link #UPSERT_ORDER}: every node upserts the rows it shares with
     * another in the same order, so two concurrent batches wait for each other instead of deadlocking.
     */
    static List<RollupDelta> of(List<LogRow> rows, List<UsageRecord> records) {
        return of(rows, i -> records.get(i).teamName());
    }

    static List<RollupDelta> of(List<LogRow> rows, java.util.function.IntFunction<String> teamNames) {
        Map<Aggregate, RollupDelta> deltas = new HashMap<>();
        String[] values = new String[DIMENSIONS.length];
        for (int i = 0; i < rows.size(); i++) {
            LogRow row = rows.get(i);
            String teamName = teamNames.apply(i);
            for (int d = 0; d < DIMENSIONS.length; d++) {
                values[d] = dimensionValue(DIMENSIONS[d], row, teamName);
            }
            long second = row.createdAt().getEpochSecond();
            for (int seconds : BUCKET_SECONDS) {
                long bucket = second - Math.floorMod(second, seconds);
                for (int d = 0; d < DIMENSIONS.length; d++) {
                    String dim = DIMENSIONS[d];
                    String value = values[d];
                    deltas.computeIfAbsent(new Aggregate(seconds, dim, value, bucket),
                            k -> new RollupDelta(seconds, dim, value, dimensionId(dim, row), Instant.ofEpochSecond(bucket)))
                            .add(row);
                }
            }
        }
        List<RollupDelta> sorted = new ArrayList<>(deltas.values());
        sorted.sort(UPSERT_ORDER);
        return sorted;
    }

    /** Which aggregate row a request adds to: a hash key, cheaper than a formatted string in a sorted map. */
    private record Aggregate(int seconds, String dim, String value, long bucket) {
    }

    /** The value a request has in a dimension; keys and teams keep their name next to their id. */
    static String dimensionValue(String dim, LogRow row, String teamName) {
        return switch (dim) {
            case "provider" -> nonNull(row.provider());
            case "model" -> nonNull(row.model());
            case "team" -> row.teamId() == null ? "(none)" : teamName + " #" + row.teamId();
            case "key" -> row.keyId() == null ? "(none)" : row.keyName() + " #" + row.keyId();
            case "ip" -> nonNull(row.clientIp());
            default -> "*";
        };
    }

    /** The key's or team's id for those dimensions, so visibility is filtered by id in the database. */
    static Long dimensionId(String dim, LogRow row) {
        return switch (dim) {
            case "team" -> row.teamId();
            case "key" -> row.keyId();
            default -> null;
        };
    }

    private static String nonNull(String value) {
        return value == null ? "(none)" : value;
    }
}
