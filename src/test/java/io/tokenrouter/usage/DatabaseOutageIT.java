package io.tokenrouter.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenrouter.testing.StandaloneGateway;
import io.tokenrouter.testing.UpstreamExtension;
import io.tokenrouter.testing.Waits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway on PostgreSQL while PostgreSQL is stopped ({@code pg_ctl -m immediate}) under steady load from an
 * admin key, a key with a team quota and a key never used before the outage: the first two are served as
 * usual, the third gets fast 503s, {@code /health/ready} says degraded, and once the database is back the log
 * holds one row per upstream call and the team's counter is exact. Then the same with the node killed
 * (SIGKILL) during the outage and started again after it: nothing a client received is missing from the log.
 */
@ExtendWith(UpstreamExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseOutageIT {

    private static final String ADMIN_KEY = "tr-outage-admin-key-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The outage the issue asks to ride through. */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("it.outage.seconds", 60));
    /**
     * No request may wait on the database longer than database_wait (1 s here: at the outage's start, the one
     * request that finds the database gone waits for a connection that long); with the gateway's own work on a
     * busy machine, this.
     */
    private static final long BOUND_MILLIS = 2_500;
    private static final Duration PAUSE = Duration.ofMillis(100);

    private static EmbeddedPostgres postgres;
    private static Path dataDir;
    private static StandaloneGateway gateway;
    private static String jdbc;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("outage-pg");
        postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(60)).start();
        jdbc = postgres.getJdbcUrl("postgres", "postgres");
        gateway = new StandaloneGateway("outage", """
                admin_key = "%s"
                database_url = "%s"
                database_wait = "1s"
                route_refresh_interval = "1s"
                model_refresh_interval = "1h"
                read_timeout = "5s"

                [[providers]]
                name = "mock"
                base_url = "http://127.0.0.1:%d/v1"
                api_key = "sk-upstream-secret"
                """.formatted(ADMIN_KEY, jdbc, UpstreamExtension.upstream().port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (postgres != null) {
            if (!running()) {
                startPostgres();
            }
            postgres.close();
        }
    }

    /** One request and how it went. */
    record Sent(String key, long startedMillis, long millis, int status, String code, String requestId) {
    }

    @Test
    @Order(1)
    void aSixtySecondOutageUnderLoadServesKnownKeysJournalsEverythingAndLosesNothing() throws Exception {
        // a total, not a daily limit: a day that ends during the outage would rightly refuse the team (the new
        // day's counter cannot be taken while the database is down, and the team has no outage credit)
        String team = create("api/teams", "{\"name\":\"outage-team\",\"quotas\":[{\"metric\":\"requests\",\"period\":\"total\","
                + "\"limit\":1000000}]}").path("id").asText();
        String teamKey = create("api/keys", "{\"name\":\"outage-team-key\",\"role\":\"inferrer\",\"team_id\":" + team + "}")
                .path("key").asText();
        String unseenKey = create("api/keys", "{\"name\":\"outage-unseen\",\"role\":\"inferrer\"}").path("key").asText();
        UpstreamExtension.upstream().recording(true);
        long upstreamBefore = upstreamChats();
        long rowsBefore = count("select count(*) from request_log");
        long answeredBefore = count("select count(*) from request_log where status = 200");

        List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        ExecutorService load = Executors.newFixedThreadPool(3);
        long began = System.currentTimeMillis();
        long outageStart = began + 5_000;
        long outageEnd = outageStart + OUTAGE.toMillis();
        long end = outageEnd + 10_000;
        List<Future<?>> clients = new ArrayList<>();
        clients.add(load.submit(() -> steady("admin", ADMIN_KEY, began, end, sent)));
        clients.add(load.submit(() -> steady("team", teamKey, began, end, sent)));
        // the third key is used first during the outage
        clients.add(load.submit(() -> steady("unseen", unseenKey, outageStart + 3_000, outageEnd - 3_000, sent)));

        sleepUntil(outageStart);
        stopPostgres();
        List<JsonNode> ready = new ArrayList<>();
        sleepUntil(outageStart + 10_000);
        while (System.currentTimeMillis() < outageEnd - 5_000) {
            ready.add(get("health/ready"));
            Thread.sleep(5_000);
        }
        sleepUntil(outageEnd);
        startPostgres();
        for (Future<?> client : clients) {
            client.get(5, TimeUnit.MINUTES);
        }
        load.shutdown();

        // during the outage: the known keys as ever, the unseen one fast 503s, the node ready but degraded
        List<Sent> during = sent.stream().filter(s -> s.startedMillis() >= outageStart && s.startedMillis() < outageEnd).toList();
        for (String key : List.of("admin", "team")) {
            List<Sent> mine = during.stream().filter(s -> s.key().equals(key)).toList();
            assertThat(mine).as(key + " requests during the outage").hasSizeGreaterThan((int) (OUTAGE.toSeconds() * 3));
            assertThat(mine).as(key + ": every request answered 200").allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(200));
            assertThat(mine).as(key + ": none waits on the database").allSatisfy(s -> assertThat(s.millis()).as(s.toString())
                    .isLessThan(BOUND_MILLIS));
        }
        List<Sent> unseen = sent.stream().filter(s -> s.key().equals("unseen")).toList();
        assertThat(unseen).isNotEmpty().allSatisfy(s -> {
            assertThat(s.status()).as(s.toString()).isEqualTo(503);
            assertThat(s.code()).isEqualTo("database_unavailable");
            assertThat(s.millis()).as(s.toString()).isLessThan(BOUND_MILLIS);
        });
        assertThat(ready).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("degraded");
            assertThat(r.path("database").path("reachable").asBoolean()).isFalse();
        });
        assertThat(sent.stream().filter(s -> !s.key().equals("unseen"))).as("every request of the known keys answered 200")
                .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(200));

        for (String key : List.of("admin", "team")) {
            List<Sent> mine = sent.stream().filter(s -> s.key().equals(key) && s.startedMillis() < outageStart).toList();
            System.out.printf("before the outage, %s key: %d requests, slowest %d ms, median %d ms%n", key, mine.size(),
                    mine.stream().mapToLong(Sent::millis).max().orElse(0),
                    mine.stream().mapToLong(Sent::millis).sorted().skip(mine.size() / 2).findFirst().orElse(0));
        }
        for (String key : List.of("admin", "team", "unseen")) {
            List<Sent> mine = (key.equals("unseen") ? sent : during).stream().filter(s -> s.key().equals(key)).toList();
            System.out.printf("outage %d s, %s key: %d requests during it, statuses %s, slowest %d ms, median %d ms%n",
                    OUTAGE.toSeconds(), key, mine.size(), mine.stream().map(Sent::status).distinct().toList(),
                    mine.stream().mapToLong(Sent::millis).max().orElse(0),
                    mine.stream().mapToLong(Sent::millis).sorted().skip(mine.size() / 2).findFirst().orElse(0));
        }

        // afterwards: the journal drains, one row per upstream call, one per refusal, the counter exact
        long back = System.currentTimeMillis();
        awaitJournalEmpty();
        System.out.printf("journal stored %d ms after the load ended%n", System.currentTimeMillis() - back);
        long answered = sent.stream().filter(s -> s.status() == 200).count();
        assertThat(upstreamChats() - upstreamBefore).as("upstream calls").isEqualTo(answered);
        assertThat(loggedRequestIds()).as("every answer a client received is in the log")
                .containsAll(sent.stream().filter(s -> s.status() == 200).map(Sent::requestId).toList());
        assertThat(count("select count(*) from request_log where status = 200") - answeredBefore).as("rows of answered requests")
                .isEqualTo(answered);
        assertThat(count("select count(*) from request_log") - rowsBefore).as("one row per request").isEqualTo(sent.size());
        assertThat(count("select count(*) - count(distinct request_id) from request_log")).as("no request twice").isZero();
        long teamAnswered = sent.stream().filter(s -> s.key().equals("team") && s.status() == 200).count();
        Waits.await("the team's allowance written back", Duration.ofSeconds(30)).until(() -> teamUsed(team) == teamAnswered);
        assertThat(get("health/ready").path("status").asText()).isEqualTo("ok");
        assertThat(count("select count(*) from events where category = 'database'")).as("the outage's start and end")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(2)
    void aNodeKilledDuringAnOutageStoresWhatItJournaledWhenItStartsAgain() throws Exception {
        List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        String outageStarts = "select count(*) from events where category = 'database' and message like '%became unreachable%'";
        long startsBefore = count(outageStarts);
        stopPostgres();
        long began = System.currentTimeMillis();
        steady("admin", ADMIN_KEY, began, began + 8_000, sent);
        List<String> received = sent.stream().filter(s -> s.status() == 200).map(Sent::requestId).toList();
        assertThat(received).as("answered from the journal during the outage").hasSizeGreaterThan(40);

        gateway.kill();
        try (Stream<Path> segments = Files.list(gateway.home().resolve("journal"))) {
            assertThat(segments.filter(f -> f.getFileName().toString().startsWith("segment-")))
                    .as("the journal survives the kill").isNotEmpty();
        }
        assertThat(gateway.home().resolve("journal/events.jsonl")).as("the outage's start event, on disk").exists();
        startPostgres();
        gateway.restart();
        awaitJournalEmpty();
        assertThat(loggedRequestIds()).as("every answer a client received is in the log").containsAll(received);
        assertThat(count("select count(*) - count(distinct request_id) from request_log")).as("no request twice").isZero();
        Waits.await("the killed node's outage event stored by its next start", Duration.ofSeconds(30))
                .until(() -> count(outageStarts) == startsBefore + 1);
        Waits.await("the events spool emptied", Duration.ofSeconds(30))
                .until(() -> !Files.exists(gateway.home().resolve("journal/events.jsonl")));
    }

    private static Set<String> loggedRequestIds() throws Exception {
        Set<String> logged = new java.util.HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select request_id from request_log")) {
            while (rs.next()) {
                logged.add(rs.getString(1));
            }
        }
        return logged;
    }

    /** Sends a chat request every {@link #PAUSE} from {@code from} until {@code to}, each with a 15 s client timeout. */
    private void steady(String name, String key, long from, long to, List<Sent> sent) {
        sleepUntil(from);
        while (System.currentTimeMillis() < to) {
            long started = System.currentTimeMillis();
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "v1/chat/completions"))
                        .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi " + UUID.randomUUID() + "\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                String code = r.statusCode() == 200 ? null : JSON.readTree(r.body()).path("error").path("code").asText();
                sent.add(new Sent(name, started, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), r.statusCode(), code,
                        r.headers().firstValue("x-request-id").orElse(null)));
            } catch (IOException e) {
                sent.add(new Sent(name, started, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), -1, e.toString(), null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            sleepUntil(started + PAUSE.toMillis());
        }
    }

    private JsonNode create(String path, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private long teamUsed(String team) throws Exception {
        for (JsonNode q : get("api/teams/" + team).path("quotas")) {
            if (q.path("metric").asText().equals("requests")) {
                return q.path("used").asLong();
            }
        }
        throw new AssertionError("no request quota on team " + team);
    }

    private void awaitJournalEmpty() {
        Waits.await("the journal stored", Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> get("health/ready").path("journal").path("pending_records").asLong(-1) == 0);
    }

    private static long upstreamChats() {
        return UpstreamExtension.upstream().received().stream().filter(r -> r.path().endsWith("/chat/completions")).count();
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sleepUntil(long millis) {
        try {
            long wait = millis - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean running() {
        return Files.exists(dataDir.resolve("postmaster.pid"));
    }


    /** A binary of PostgreSQL ({@code postgres}), from those the embedded server unpacked. */
    private static Path binary(String name) throws IOException {
        Path unpacked = Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg");
        try (Stream<Path> all = Files.walk(unpacked, 3)) {
            return all.filter(p -> p.endsWith(Path.of("bin", name)))
                    .max(Comparator.comparing(p -> p.toFile().lastModified())).orElseThrow();
        }
    }

    /**
     * Stops PostgreSQL at once, as a crash would (SIGQUIT to the postmaster: PostgreSQL's immediate shutdown, what
     * {@code pg_ctl -m immediate stop} sends; pg_ctl itself refuses to run as root): connections are cut.
     */
    private static void stopPostgres() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        run("kill", "-QUIT", String.valueOf(pid));
        postmaster.onExit().get(60, TimeUnit.SECONDS);
        Waits.await("the postmaster gone", Duration.ofSeconds(30)).until(() -> !running());
    }

    /** Starts PostgreSQL again on its data directory and port (crash recovery first), and waits until it answers. */
    private static void startPostgres() throws Exception {
        Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
        // as the embedded server does it: in a user namespace of its own, where root is not root (PostgreSQL refuses it)
        new ProcessBuilder("unshare", "-U", binary("postgres").toString(), "-D", dataDir.toString(), "-p", String.valueOf(postgres.getPort()),
                "-F", "-c", "synchronous_commit=off", "-c", "max_connections=300", "-c", "timezone=UTC")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile())).start();
        Waits.await("PostgreSQL answering", Duration.ofSeconds(60)).ignoreExceptions().until(() -> count("select 1") == 1);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
