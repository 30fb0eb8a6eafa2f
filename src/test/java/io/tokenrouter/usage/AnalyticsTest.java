package io.tokenrouter.usage;

import io.tokenrouter.store.Outcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Usage;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Usage analytics over aggregates written exactly as the usage writer writes them, on H2 and PostgreSQL:
 * eight requests in two hours across two providers, three models, two keys (one in a team) and two client
 * addresses, two of them failed.
 */
class AnalyticsTest {

    private static final Instant H1 = Instant.parse("2026-03-10T10:00:00Z");
    private static final Instant H2 = Instant.parse("2026-03-10T11:00:00Z");
    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    private record Request(UsageRecord record, long costMicros) {
    }

    private static Request request(String id, Instant time, long key, String provider, String model, int status,
                                   String errorType, long latency, Long ttft, long prompt, long completion, String ip,
                                   long costMicros) {
        boolean alice = key == 1;
        return new Request(new UsageRecord(id, time, key, alice ? "alice" : "bob", alice ? 10L : null,
                alice ? "research" : null, provider, model, model, "chat.completions", status, false,
                new Usage(prompt, completion, 0, 0, false), latency, ttft, status >= 400 ? Outcome.ERROR : Outcome.OK, ip,
                "curl/8.5.0", errorType, errorType == null ? null : "upstream said no", null), costMicros);
    }

    /** The eight requests; totals: 780 prompt, 335 completion tokens, 6,594 micros, errors in rows 2 and 5. */
    private static final List<Request> REQUESTS = List.of(
            request("r1", H1.plusSeconds(5 * 60), 1, "openai", "gpt-4o", 200, null, 120, 80L, 100, 50, "10.0.0.1", 1_000),
            request("r2", H1.plusSeconds(5 * 60 + 30), 1, "openai", "gpt-4o", 500, "upstream_error", 900, null, 100, 0,
                    "10.0.0.1", 0),
            request("r3", H1.plusSeconds(7 * 60), 2, "openai", "gpt-4o-mini", 200, null, 40, 20L, 10, 5, "10.0.0.2", 10),
            request("r4", H1.plusSeconds(20 * 60), 1, "anthropic", "claude-sonnet-4-5", 200, null, 1_500, null, 200, 100,
                    "10.0.0.1", 2_100),
            request("r5", H2.plusSeconds(10 * 60), 2, "anthropic", "claude-sonnet-4-5", 429, "rate_limit", 30, null, 0, 0,
                    "10.0.0.2", 0),
            request("r6", H2.plusSeconds(10 * 60 + 59), 2, "openai", "gpt-4o", 200, null, 300, 100L, 50, 20, "10.0.0.2", 325),
            request("r7", H2.plusSeconds(30 * 60), 1, "openai", "gpt-4o-mini", 200, null, 60, null, 20, 10, "10.0.0.1", 9),
            request("r8", H2.plusSeconds(45 * 60), 1, "anthropic", "claude-sonnet-4-5", 200, null, 2_500, null, 300, 150,
                    "10.0.0.1", 3_150));

    /** The stored row of a request, as the usage writer makes it, with a known cost. */
    private static LogRow row(Request request) {
        UsageRecord r = request.record();
        return new LogRow(r.requestId(), r.time(), r.keyId(), r.keyName(), r.teamId(), r.provider(), r.requestedModel(),
                r.upstreamModel(), r.endpoint(), r.status(), r.stream(), r.outcome().wire(), r.usage().promptTokens(),
                r.usage().completionTokens(), r.usage().cachedTokens(), r.usage().reasoningTokens(), r.usage().estimated(),
                r.latencyMillis(), r.firstByteMillis(), r.tokensPerSecond(), r.clientIp(), r.userAgent(),
                ClientTypes.of(r.userAgent()), r.errorType(), r.errorMessage(), r.upstreamRequestId(),
                request.costMicros());
    }

    /** Writes each request in its own batch, so buckets shared by two requests are created, then added to. */
    private static Analytics analytics(Database database) {
        RequestLogRepository log = TestDatabases.requestLog(database);
        for (Request request : REQUESTS) {
            List<LogRow> rows = List.of(row(request));
            log.write(rows, Rollups.of(rows, List.of(request.record())));
        }
        Analytics analytics = new Analytics();
        analytics.log = log;
        return analytics;
    }

    private static Map<String, Analytics.Figures> totalsByGroup(Analytics.Report report) {
        return report.groups().stream().collect(Collectors.toMap(Analytics.Group::value, Analytics.Group::totals));
    }

    private static Analytics.Report twoHours(Analytics analytics, String groupBy) {
        return analytics.report(H1, H1.plus(Duration.ofHours(2)), groupBy, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void totalsOverTheRangeCountRequestsErrorsTokensAndCost(Supplier<Database> db) {
        Analytics.Report report = twoHours(analytics(db.get()), "all");

        Analytics.Figures totals = report.totals();
        assertThat(totals.requests()).isEqualTo(8);
        assertThat(totals.errors()).isEqualTo(2);
        assertThat(totals.errorRate()).isEqualTo(0.25);
        assertThat(totals.promptTokens()).isEqualTo(780);
        assertThat(totals.completionTokens()).isEqualTo(335);
        assertThat(totals.totalTokens()).isEqualTo(1_115);
        assertThat(totals.cost()).isCloseTo(0.006594, within(1e-12));
        assertThat(totals.avgTtftMs()).isCloseTo((80 + 20 + 100) / 3.0, within(1e-9));
        // 50 tokens in 40 ms, 5 in 20 ms, 20 in 200 ms after the first byte
        assertThat(totals.avgTokensPerSecond()).isCloseTo((1_250 + 250 + 100) / 3.0, within(1e-9));
        assertThat(report.groups()).singleElement().satisfies(g -> {
            assertThat(g.value()).isEqualTo("*");
            assertThat(g.totals()).isEqualTo(totals);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void groupsByProviderLargestFirst(Supplier<Database> db) {
        Analytics.Report report = twoHours(analytics(db.get()), "provider");

        assertThat(report.groups()).extracting(Analytics.Group::value).containsExactly("openai", "anthropic");
        Analytics.Figures openai = report.groups().get(0).totals();
        assertThat(openai.requests()).isEqualTo(5);
        assertThat(openai.errors()).isEqualTo(1);
        assertThat(openai.errorRate()).isEqualTo(0.2);
        assertThat(openai.promptTokens()).isEqualTo(280);
        assertThat(openai.completionTokens()).isEqualTo(85);
        assertThat(openai.cost()).isCloseTo(0.001344, within(1e-12));
        Analytics.Figures anthropic = report.groups().get(1).totals();
        assertThat(anthropic.requests()).isEqualTo(3);
        assertThat(anthropic.errors()).isEqualTo(1);
        assertThat(anthropic.errorRate()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(anthropic.promptTokens()).isEqualTo(500);
        assertThat(anthropic.completionTokens()).isEqualTo(250);
        assertThat(anthropic.cost()).isCloseTo(0.00525, within(1e-12));
        assertThat(report.totals().requests()).isEqualTo(8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void groupsByModel(Supplier<Database> db) {
        Map<String, Analytics.Figures> models = totalsByGroup(twoHours(analytics(db.get()), "model"));

        assertThat(models).containsOnlyKeys("gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5");
        assertThat(models.get("gpt-4o")).satisfies(f -> {
            assertThat(f.requests()).isEqualTo(3);
            assertThat(f.errors()).isEqualTo(1);
            assertThat(f.promptTokens()).isEqualTo(250);
            assertThat(f.completionTokens()).isEqualTo(70);
            assertThat(f.cost()).isCloseTo(0.001325, within(1e-12));
        });
        assertThat(models.get("gpt-4o-mini")).satisfies(f -> {
            assertThat(f.requests()).isEqualTo(2);
            assertThat(f.errors()).isZero();
            assertThat(f.errorRate()).isZero();
            assertThat(f.promptTokens()).isEqualTo(30);
            assertThat(f.completionTokens()).isEqualTo(15);
            assertThat(f.cost()).isCloseTo(0.000019, within(1e-12));
        });
        assertThat(models.get("claude-sonnet-4-5").requests()).isEqualTo(3);
        assertThat(models.get("claude-sonnet-4-5").errors()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void groupsByKeyTeamAndClientAddressNameTheirValues(Supplier<Database> db) {
        Analytics analytics = analytics(db.get());

        Map<String, Analytics.Figures> keys = totalsByGroup(twoHours(analytics, "key"));
        assertThat(keys).containsOnlyKeys("alice #1", "bob #2");
        assertThat(keys.get("alice #1")).satisfies(f -> {
            assertThat(f.requests()).isEqualTo(5);
            assertThat(f.errors()).isEqualTo(1);
            assertThat(f.promptTokens()).isEqualTo(720);
            assertThat(f.completionTokens()).isEqualTo(310);
            assertThat(f.cost()).isCloseTo(0.006259, within(1e-12));
        });
        assertThat(keys.get("bob #2")).satisfies(f -> {
            assertThat(f.requests()).isEqualTo(3);
            assertThat(f.errors()).isEqualTo(1);
            assertThat(f.promptTokens()).isEqualTo(60);
            assertThat(f.completionTokens()).isEqualTo(25);
            assertThat(f.cost()).isCloseTo(0.000335, within(1e-12));
        });

        Map<String, Analytics.Figures> teams = totalsByGroup(twoHours(analytics, "team"));
        assertThat(teams).containsOnlyKeys("research #10", "(none)");
        assertThat(teams.get("research #10").requests()).isEqualTo(5);
        assertThat(teams.get("(none)").requests()).isEqualTo(3);

        Map<String, Analytics.Figures> ips = totalsByGroup(twoHours(analytics, "ip"));
        assertThat(ips).containsOnlyKeys("10.0.0.1", "10.0.0.2");
        assertThat(ips.get("10.0.0.1").requests()).isEqualTo(5);
        assertThat(ips.get("10.0.0.2").requests()).isEqualTo(3);
        assertThat(ips.get("10.0.0.2").errors()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aRangeOfTwoHoursIsSeriesOfFiveMinuteBucketsFromMinuteAggregates(Supplier<Database> db) {
        Analytics.Report report = twoHours(analytics(db.get()), "all");

        assertThat(report.bucketSeconds()).isEqualTo(300);
        List<Analytics.Point> series = report.groups().get(0).series();
        assertThat(series).extracting(Analytics.Point::t).containsExactly(H1.plusSeconds(5 * 60), H1.plusSeconds(20 * 60),
                H2.plusSeconds(10 * 60), H2.plusSeconds(30 * 60), H2.plusSeconds(45 * 60));
        assertThat(series).extracting(p -> p.figures().requests()).containsExactly(3L, 1L, 2L, 1L, 1L);
        assertThat(series.get(0).figures().errors()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aRangeOfOneHourIsSeriesOfMinutes(Supplier<Database> db) {
        Analytics.Report report = analytics(db.get()).report(H1, H2, "all", null);

        assertThat(report.bucketSeconds()).isEqualTo(60);
        assertThat(report.totals().requests()).isEqualTo(4);
        assertThat(report.groups().get(0).series()).extracting(Analytics.Point::t)
                .containsExactly(H1.plusSeconds(5 * 60), H1.plusSeconds(7 * 60), H1.plusSeconds(20 * 60));
        assertThat(report.groups().get(0).series()).extracting(p -> p.figures().requests()).containsExactly(2L, 1L, 1L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aRangeOfSevenDaysIsSeriesOfThreeHourBucketsFromHourAggregates(Supplier<Database> db) {
        Instant from = Instant.parse("2026-03-07T09:00:00Z");
        Analytics.Report report = analytics(db.get()).report(from, from.plus(Duration.ofDays(7)), "provider", null);

        assertThat(report.bucketSeconds()).isEqualTo(3 * 3600);
        assertThat(report.totals().requests()).isEqualTo(8);
        Analytics.Group openai = report.groups().get(0);
        assertThat(openai.value()).isEqualTo("openai");
        // 10:00 and 11:00 fall into the three hours from 09:00, counted from the start of the range
        assertThat(openai.series()).singleElement().satisfies(p -> {
            assertThat(p.t()).isEqualTo(Instant.parse("2026-03-10T09:00:00Z"));
            assertThat(p.figures().requests()).isEqualTo(5);
            assertThat(p.figures().cost()).isCloseTo(0.001344, within(1e-12));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void groupsTheCallerMayNotSeeAreLeftOutOfGroupsAndTotals(Supplier<Database> db) {
        Analytics.Report report = analytics(db.get()).report(H1, H1.plus(Duration.ofHours(2)), "key", java.util.List.of(2L));

        assertThat(report.groups()).extracting(Analytics.Group::value).containsExactly("bob #2");
        assertThat(report.totals().requests()).isEqualTo(3);
        assertThat(report.totals().errors()).isEqualTo(1);
        assertThat(report.totals().promptTokens()).isEqualTo(60);
        assertThat(report.totals().cost()).isCloseTo(0.000335, within(1e-12));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void latencyPercentilesFallInTheHistogramBucketOfTheTrueValue(Supplier<Database> db) {
        Analytics.Report report = twoHours(analytics(db.get()), "provider");

        // all: 30, 40, 60, 120, 300, 900, 1500, 2500 ms; the 4th (120) is the median, the 8th (2500) the 95th
        assertThat(report.totals().latencyP50Ms()).isBetween(100.0, 200.0);
        assertThat(report.totals().latencyP95Ms()).isBetween(2_000.0, 5_000.0);
        // openai: 40, 60, 120, 300, 900 ms
        Function<String, Analytics.Figures> group = totalsByGroup(report)::get;
        assertThat(group.apply("openai").latencyP50Ms()).isBetween(100.0, 200.0);
        assertThat(group.apply("openai").latencyP95Ms()).isBetween(500.0, 1_000.0);
        // anthropic: 30, 1500, 2500 ms
        assertThat(group.apply("anthropic").latencyP50Ms()).isBetween(1_000.0, 2_000.0);
        assertThat(group.apply("anthropic").latencyP95Ms()).isBetween(2_000.0, 5_000.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anUnknownGroupOrAnEmptyRangeIsABadRequest(Supplier<Database> db) {
        Analytics analytics = analytics(db.get());

        assertThatThrownBy(() -> analytics.report(H1, H2, "country", null))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("group_by");
                    assertThat(e.getMessage()).contains("group_by must be one of [all, ip, key, model, provider, team]");
                });
        assertThatThrownBy(() -> analytics.report(H1, H1, "all", null))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("from");
                });
        assertThatThrownBy(() -> analytics.report(H2, H1, "all", null))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aRangeLongerThanTheRetentionOrAKeymasterGroupingByTeamIsRefused(Supplier<Database> db) {
        Analytics analytics = analytics(db.get());

        assertThatThrownBy(() -> analytics.report(H1.minus(Duration.ofDays(401)), H1, "all", null))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> analytics.report(H1, H2, "team", List.of(1L)))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThat(analytics.report(H1, H1.plus(Duration.ofHours(2)), "key", List.of()).groups()).isEmpty();
    }

    /** Issue 8: refusals are logged and counted apart from the requests that reached a provider. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void refusalsAreCountedApartFromRequestsAndErrors(Supplier<Database> db) {
        Database database = db.get();
        Analytics analytics = analytics(database);
        RequestLogRepository log = TestDatabases.requestLog(database);
        UsageRecord quota = new UsageRecord("r9", H1.plusSeconds(60), 2L, "bob", null, null, null, "gpt-4o", null,
                "chat/completions", 429, false, Usage.NONE, 3, null, Outcome.REFUSED, "10.0.0.2", "curl/8.5.0",
                "rate_limit_exceeded", "The daily request quota of key 'bob' is exhausted", null);
        UsageRecord unknownKey = new UsageRecord("r10", H1.plusSeconds(61), null, null, null, null, null, null, null,
                "chat/completions", 401, false, Usage.NONE, 1, null, Outcome.REFUSED, "203.0.113.9", null,
                "invalid_api_key", "Incorrect API key provided.", null);
        List<LogRow> rows = List.of(row(new Request(quota, 0)), row(new Request(unknownKey, 0)));
        log.write(rows, Rollups.of(rows, List.of(quota, unknownKey)));

        Analytics.Report all = twoHours(analytics, "all");
        assertThat(all.totals().requests()).isEqualTo(8);
        assertThat(all.totals().refusals()).isEqualTo(2);
        assertThat(all.totals().errors()).isEqualTo(2);
        Map<String, Analytics.Figures> byKey = totalsByGroup(twoHours(analytics, "key"));
        assertThat(byKey.get("bob #2").refusals()).isEqualTo(1);
        assertThat(byKey.get("(none)").refusals()).isEqualTo(1);
        assertThat(analytics.report(H1, H1.plus(Duration.ofHours(2)), "key", List.of(2L)).totals().refusals()).isEqualTo(1);
    }

    /**
     * Issue 25 item 3: figures that slipped past every bound (written before bounds existed, or by another
     * writer) saturate in the aggregates instead of failing the batch or wrapping negative.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void hugeFiguresSaturateTheAggregatesInsteadOfFailingTheBatch(Supplier<Database> db) {
        Database database = db.get();
        RequestLogRepository log = TestDatabases.requestLog(database);
        Instant when = H1.plus(Duration.ofDays(3));
        for (int i = 0; i < 3; i++) {
            Request huge = request("huge" + i, when.plusSeconds(i), 1, "openai", "gpt-4o", 200, null, 10, null,
                    4_600_000_000_000_000_000L, Long.MAX_VALUE / 2, "10.0.0.1", Long.MAX_VALUE / 2);
            List<LogRow> rows = List.of(row(huge));
            log.write(rows, Rollups.of(rows, List.of(huge.record())));
        }
        Analytics analytics = new Analytics();
        analytics.log = log;

        Analytics.Figures totals = analytics.report(when, when.plus(Duration.ofHours(1)), "all", null).totals();
        assertThat(totals.requests()).isEqualTo(3);
        assertThat(totals.promptTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(totals.completionTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(totals.totalTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(totals.cost()).isPositive();
    }

    /** Issue 8: the aggregate upsert is one statement per dialect, so two writers on one bucket both count. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void twoWritersAddingToTheSameBucketsAtOnceLoseNothing(Supplier<Database> db) throws Exception {
        Database database = db.get();
        RequestLogRepository log = TestDatabases.requestLog(database);
        Instant hour = Instant.parse("2026-04-01T12:00:00Z");
        int batches = 60;
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            done.add(writers.submit(() -> {
                start.await();
                for (int b = 0; b < batches; b++) {
                    UsageRecord r = request("w" + writer + "-" + b, hour.plusSeconds(b % 3), 1, "openai", "gpt-4o", 200,
                            null, 100, 10L, 10, 5, "10.0.0.1", 7).record();
                    List<LogRow> rows = List.of(row(new Request(r, 7)));
                    log.write(rows, Rollups.of(rows, List.of(r)));
                }
                return null;
            }));
        }
        start.countDown();
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        writers.shutdown();

        Analytics analytics = new Analytics();
        analytics.log = log;
        Analytics.Report report = analytics.report(hour, hour.plus(Duration.ofHours(1)), "model", null);
        assertThat(report.totals().requests()).isEqualTo(2L * batches);
        assertThat(report.totals().promptTokens()).isEqualTo(2L * batches * 10);
        assertThat(report.totals().cost()).isCloseTo(2 * batches * 7 / 1_000_000.0, within(1e-12));
    }
}
