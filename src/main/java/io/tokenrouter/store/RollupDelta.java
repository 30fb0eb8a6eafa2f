package io.tokenrouter.store;

import java.time.Instant;
import java.util.Arrays;

/**
 * What a batch of requests adds to one aggregate row: a time bucket (minute or hour) of the whole
 * gateway or of one value of one dimension. Latency goes into a fixed histogram for percentiles.
 */
public final class RollupDelta {

    /** Upper bounds (ms) of the latency histogram buckets; the last bucket is open-ended. */
    public static final long[] LATENCY_BOUNDS = {50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000, 120_000,
            Long.MAX_VALUE};

    /** The outcome of a request refused before it was forwarded, as the log stores it. */
    public static final String REFUSED = Outcome.REFUSED.wire();

    public final int bucketSeconds;
    public final String dim;
    public final String dimValue;
    public final Instant bucketStart;
    /** The key's or team's id in those dimensions, else null. */
    public Long dimId;
    public long requests;
    public long refusals;
    public long errors;
    public long promptTokens;
    public long completionTokens;
    public long costMicros;
    public long latencyMsSum;
    public long ttftMsSum;
    public long ttftCount;
    public double tpsSum;
    public long tpsCount;
    public final long[] latency = new long[LATENCY_BOUNDS.length];

    public RollupDelta(int bucketSeconds, String dim, String dimValue, Instant bucketStart) {
        this.bucketSeconds = bucketSeconds;
        this.dim = dim;
        this.dimValue = dimValue;
        this.bucketStart = bucketStart;
    }

    public RollupDelta(int bucketSeconds, String dim, String dimValue, Long dimId, Instant bucketStart) {
        this(bucketSeconds, dim, dimValue, bucketStart);
        this.dimId = dimId;
    }

    /** Adds one request; a refusal counts only as a refusal (it reached no provider, used nothing). */
    public void add(LogRow row) {
        if (REFUSED.equals(row.outcome())) {
            refusals++;
            return;
        }
        requests++;
        if (row.status() >= 400 || row.errorType() != null) {
            errors++;
        }
        promptTokens = plus(promptTokens, row.promptTokens());
        completionTokens = plus(completionTokens, row.completionTokens());
        costMicros = plus(costMicros, row.costMicros());
        latencyMsSum = plus(latencyMsSum, row.latencyMs());
        if (row.ttftMs() != null) {
            ttftMsSum = plus(ttftMsSum, row.ttftMs());
            ttftCount++;
        }
        if (row.tokensPerSecond() != null) {
            tpsSum += row.tokensPerSecond();
            tpsCount++;
        }
        latency[latencyBucket(row.latencyMs())]++;
    }

    /** Adds another delta (or stored row) of the same bucket. */
    public void add(RollupDelta other) {
        requests += other.requests;
        refusals += other.refusals;
        errors += other.errors;
        promptTokens = plus(promptTokens, other.promptTokens);
        completionTokens = plus(completionTokens, other.completionTokens);
        costMicros = plus(costMicros, other.costMicros);
        latencyMsSum = plus(latencyMsSum, other.latencyMsSum);
        ttftMsSum = plus(ttftMsSum, other.ttftMsSum);
        ttftCount += other.ttftCount;
        tpsSum += other.tpsSum;
        tpsCount += other.tpsCount;
        for (int i = 0; i < latency.length; i++) {
            latency[i] += other.latency[i];
        }
    }

    /**
     * A sum of counters that saturates instead of wrapping, negative amounts counting as none: a figure that
     * slipped past every bound must not turn a report negative or fail a batch.
     */
    public static long plus(long sum, long amount) {
        long a = Math.max(0, amount);
        long b = Math.max(0, sum);
        return b > Long.MAX_VALUE - a ? Long.MAX_VALUE : b + a;
    }

    public static int latencyBucket(long ms) {
        int i = Arrays.binarySearch(LATENCY_BOUNDS, ms);
        return i >= 0 ? i : -i - 1;
    }

    /** The latency at quantile {@code q}, interpolated inside its histogram bucket. */
    public double latencyQuantile(double q) {
        if (requests == 0) {
            return 0;
        }
        double target = q * requests;
        long seen = 0;
        for (int i = 0; i < latency.length; i++) {
            if (latency[i] > 0 && seen + latency[i] >= target) {
                long lower = i == 0 ? 0 : LATENCY_BOUNDS[i - 1];
                long upper = i == latency.length - 1 ? lower * 2 : LATENCY_BOUNDS[i];
                return lower + (upper - lower) * ((target - seen) / latency[i]);
            }
            seen += latency[i];
        }
        return LATENCY_BOUNDS[LATENCY_BOUNDS.length - 2];
    }
}
