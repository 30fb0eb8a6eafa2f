package io.tokenrouter.usage;

import io.tokenrouter.store.Outcome;
import io.tokenrouter.api.Usage;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.RollupDelta;
import io.tokenrouter.store.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Analytics at scale: fills the request log with {@code bench.rows} requests (default 10 million) over
 * 30 days, with the aggregates the writer keeps (per-hour for the whole range, per-minute for the last
 * 7 days, as retention leaves them), then times the dashboard queries on H2 and on PostgreSQL.
 * Run with {@code mvn -Pbench test -Dtest=AnalyticsScaleBenchmark [-Dbench.rows=1000000] [-Dbench.db=h2|postgres|both]}.
 */
class AnalyticsScaleBenchmark {

    private static final long ROWS = Long.getLong("bench.rows", 10_000_000L);
    private static final String DB = System.getProperty("bench.db", "both");
    private static final Instant END = Instant.now().truncatedTo(ChronoUnit.HOURS);
    private static final Instant START = END.minus(Duration.ofDays(30));
    private static final String[] PROVIDERS = {"openai", "anthropic", "groq", "mistral", "ollama"};

    @Test
    void dashboardQueriesAtScale() {
        if (DB.equals("h2") || DB.equals("both")) {
            run("H2", TestDatabases::h2);
        }
        if (DB.equals("postgres") || DB.equals("both")) {
            run("PostgreSQL", TestDatabases::postgres);
        }
    }

    private void run(String name, Supplier<Database> open) {
        Database db = open.get();
        try {
            RequestLogRepository log = TestDatabases.requestLog(db);
            long start = System.nanoTime();
            fill(log);
            System.out.printf("%s: %,d log rows written in %.0f s%n", name, ROWS, (System.nanoTime() - start) / 1e9);
            Analytics analytics = new Analytics();
            analytics.log = log;
            time(name, "24 h by model (per-minute aggregates)", () ->
                    analytics.report(END.minus(Duration.ofHours(24)), END, "model", null).groups().size());
            time(name, "7 days by provider (hourly)", () ->
                    analytics.report(END.minus(Duration.ofDays(7)), END, "provider", null).groups().size());
            time(name, "30 days by key (hourly)", () ->
                    analytics.report(START, END, "key", null).groups().size());
            time(name, "30 days by client IP (hourly)", () ->
                    analytics.report(START, END, "ip", null).groups().size());
            time(name, "30 days totals (hourly)", () ->
                    analytics.report(START, END, "all", null).groups().size());
            time(name, "request log page 1, one key, 30 days", () ->
                    log.search(new LogFilter(START, END, 7L, null, null, null, null, null, null, null), 0, 50).items().size());
        } finally {
            TestDatabases.close(db);
        }
    }

    private static void time(String db, String what, Supplier<Integer> query) {
        query.get();
        long best = Long.MAX_VALUE;
        int size = 0;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            size = query.get();
            best = Math.min(best, System.nanoTime() - t);
        }
        System.out.printf("%s: %-40s %7.1f ms (best of 5, %d groups/rows)%n", db, what, best / 1e6, size);
    }

    /** Writes the rows day by day with the aggregates the writer would have produced for them. */
    private static void fill(RequestLogRepository log) {
        Random random = new Random(7);
        long perDay = ROWS / 30;
        Instant minuteCutoff = END.minus(Duration.ofDays(7));
        for (int day = 0; day < 30; day++) {
            Instant dayStart = START.plus(Duration.ofDays(day));
            Map<String, RollupDelta> deltas = new LinkedHashMap<>();
            List<LogRow> batch = new ArrayList<>(10_000);
            for (long i = 0; i < perDay; i++) {
                LogRow row = row(random, dayStart.plusMillis((long) (i * (86_400_000.0 / perDay))));
                batch.add(row);
                aggregate(deltas, row, !row.createdAt().isBefore(minuteCutoff));
                if (batch.size() == 10_000) {
                    log.write(batch, List.of());
                    batch.clear();
                }
            }
            log.write(batch, List.of());
            List<RollupDelta> all = new ArrayList<>(deltas.values());
            for (int from = 0; from < all.size(); from += 20_000) {
                log.write(List.of(), all.subList(from, Math.min(all.size(), from + 20_000)));
            }
        }
    }

    private static void aggregate(Map<String, RollupDelta> deltas, LogRow row, boolean minutes) {
        UsageRecord record = new UsageRecord(row.requestId(), row.createdAt(), row.keyId(), row.keyName(), row.teamId(),
                "team" + row.teamId(), row.provider(), row.model(), row.upstreamModel(), row.endpoint(), row.status(),
                row.stream(), Usage.NONE, row.latencyMs(), row.ttftMs(), Outcome.of(row.outcome()), row.clientIp(), null, null, null, null);
        for (int seconds : minutes ? new int[] {60, 3600} : new int[] {3600}) {
            Instant bucket = row.createdAt().truncatedTo(seconds == 60 ? ChronoUnit.MINUTES : ChronoUnit.HOURS);
            for (String dim : Rollups.DIMENSIONS) {
                String value = Rollups.dimensionValue(dim, row, record.teamName());
                deltas.computeIfAbsent(seconds + "|" + dim + "|" + value + "|" + bucket,
                        k -> new RollupDelta(seconds, dim, value, bucket)).add(row);
            }
        }
    }

    private static LogRow row(Random r, Instant at) {
        String provider = PROVIDERS[r.nextInt(PROVIDERS.length)];
        long key = 1 + r.nextInt(100);
        long prompt = 50 + r.nextInt(2000);
        long completion = 10 + r.nextInt(800);
        boolean error = r.nextInt(50) == 0;
        long latency = 200 + (long) (r.nextDouble() * r.nextDouble() * 20_000);
        return new LogRow(Long.toHexString(r.nextLong()), at, key, "key-" + key, 1 + key % 10, provider,
                provider + "/model-" + r.nextInt(4), "model-" + r.nextInt(4), "chat/completions", error ? 502 : 200,
                r.nextBoolean(), error ? "upstream_error" : "ok", prompt, completion, 0, 0, false, latency,
                latency / 4, completion * 1000.0 / Math.max(1, latency - latency / 4), "10.0." + r.nextInt(5) + "." + r.nextInt(10),
                "OpenAI/Python 1.52.0", "openai-python", error ? "upstream_unavailable" : null, null, null,
                prompt * 150 / 1000 + completion * 600 / 1000);
    }
}
