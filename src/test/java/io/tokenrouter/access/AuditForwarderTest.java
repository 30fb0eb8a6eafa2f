package io.tokenrouter.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.AuditRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.TestDatabases;
import io.tokenrouter.upstream.OutboundHttp;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The audit forwarder against receivers on loopback: HTTP (JSON Lines, bearer token, a refusal keeps the entries
 * for the next run), syslog over UDP and TCP (RFC 5424 messages, octet-counted on TCP), and the mark that lets any
 * node go on where another stopped.
 */
class AuditForwarderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database = TestDatabases.h2();
    private final AuditRepository chain = TestDatabases.audit(database);
    private HttpServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.stop(0);
        }
        TestDatabases.close(database);
    }

    @Test
    void entriesArePostedAsJsonLinesInOrderAndOnlyOnce() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> tokens = new CopyOnWriteArrayList<>();
        AtomicInteger status = new AtomicInteger(200);
        String url = receiver(bodies, tokens, status);
        AuditForwarder first = forwarder(Map.of("tokenrouter.audit_forward_url", url,
                "tokenrouter.audit_forward_token", "siem-secret"));
        AuditForwarder second = forwarder(Map.of("tokenrouter.audit_forward_url", url,
                "tokenrouter.audit_forward_token", "siem-secret"));
        append("ops #1", "change", "ok", "Created team 'a' #1");
        append(null, "sign-in", "refused", "Refused sign-in from 10.0.0.9: bad key");

        assertThat(first.forward()).isEqualTo(2);
        append("ops #1", "change", "ok", "Deleted team 'a' #1");
        assertThat(second.forward()).as("another node goes on from the mark").isEqualTo(1);
        assertThat(first.forward()).isZero();

        assertThat(tokens).containsOnly("Bearer siem-secret");
        List<JsonNode> lines = lines(String.join("", bodies));
        assertThat(lines).extracting(l -> l.path("seq").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(lines.get(1).path("outcome").asText()).isEqualTo("refused");
        assertThat(lines.get(1).path("actor").isNull()).isTrue();
        assertThat(lines.get(2).path("prev_hash").asText()).isEqualTo(lines.get(1).path("hash").asText());
        assertThat(chain.forwarded()).isEqualTo(3);
    }

    @Test
    void aReceiverThatRefusesKeepsTheEntriesForTheNextRun() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger status = new AtomicInteger(503);
        AuditForwarder forwarder = forwarder(Map.of("tokenrouter.audit_forward_url",
                receiver(bodies, new CopyOnWriteArrayList<>(), status)));
        append("ops #1", "change", "ok", "one");
        append("ops #1", "change", "ok", "two");

        assertThatThrownBy(forwarder::forward).isInstanceOf(IOException.class).hasMessageContaining("HTTP 503");
        forwarder.runIfLeader();
        assertThat(forwarder.failures()).as("a run that failed, counted for /metrics").isEqualTo(1);
        assertThat(chain.forwarded()).isZero();
        status.set(204);
        forwarder.runIfLeader();
        assertThat(forwarder.forwarded()).isEqualTo(2);
        assertThat(forwarder.forward()).as("the lease was given back; nothing waits").isZero();

        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(2)).as("the refused entries, sent again").isEqualTo(bodies.get(0));
        assertThat(chain.forwarded()).isEqualTo(2);
    }

    @Test
    void aBacklogGoesInBatches() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AuditForwarder forwarder = forwarder(Map.of("tokenrouter.audit_forward_url",
                receiver(bodies, new CopyOnWriteArrayList<>(), new AtomicInteger(200))));
        for (int i = 0; i < AuditForwarder.BATCH + 7; i++) {
            append("ops #1", "change", "ok", "change " + i);
        }

        assertThat(forwarder.forward()).isEqualTo(AuditForwarder.BATCH + 7);

        assertThat(bodies).hasSize(2);
        assertThat(lines(bodies.get(0))).hasSize(AuditForwarder.BATCH);
        assertThat(lines(bodies.get(1))).hasSize(7);
    }

    @Test
    void syslogOverUdpSendsAnRfc5424MessagePerEntry() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(5_000);
            AuditForwarder forwarder = forwarder(Map.of("tokenrouter.audit_forward_url",
                    "syslog+udp://127.0.0.1:" + receiver.getLocalPort()));
            AuditRepository.Entry change = append("ops #1", "change", "ok", "Created team 'a' #1");
            AuditRepository.Entry refusal = append(null, "sign-in", "refused", "Refused sign-in");

            assertThat(forwarder.forward()).isEqualTo(2);

            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
                receiver.receive(packet);
                messages.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
            }
            String host = forwarder.node.name().replaceAll("[^!-~]", "_");
            assertThat(messages.get(0)).startsWith("<110>1 " + change.time() + " " + host + " tokenrouter - change - \uFEFF{");
            assertThat(messages.get(1)).startsWith("<108>1 " + refusal.time() + " " + host + " tokenrouter - sign-in - \uFEFF{");
            assertThat(JSON.readTree(messages.get(1).substring(messages.get(1).indexOf('{'))).path("hash").asText())
                    .isEqualTo(refusal.hash());
        }
    }

    @Test
    void syslogOverTcpFramesEachMessageByItsLength() throws Exception {
        try (ServerSocket receiver = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            AuditForwarder forwarder = forwarder(Map.of("tokenrouter.audit_forward_url",
                    "syslog+tcp://127.0.0.1:" + receiver.getLocalPort()));
            append("ops #1", "change", "ok", "détail with ünïcode and a\nnewline");
            append("ops #1", "change", "ok", "second");
            List<String> frames = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (Socket s = receiver.accept(); InputStream in = new BufferedInputStream(s.getInputStream())) {
                    for (String frame = frame(in); frame != null; frame = frame(in)) {
                        frames.add(frame);
                    }
                } catch (IOException e) {
                    frames.add("failed: " + e);
                }
            });
            reader.start();

            assertThat(forwarder.forward()).isEqualTo(2);
            reader.join(5_000);

            assertThat(frames).hasSize(2);
            String json = frames.get(0).substring(frames.get(0).indexOf('{'));
            assertThat(JSON.readTree(json).path("detail").asText()).isEqualTo("détail with ünïcode and a\nnewline");
            assertThat(frames.get(1)).contains("\"detail\":\"second\"");
        }
    }

    @Test
    void aForwardUrlThatIsNeitherHttpNorSyslogStopsTheStart() {
        for (String bad : List.of("ftp://siem.example/audit", "syslog+udp://siem.example", "not a url", "siem.example:514")) {
            assertThatThrownBy(() -> GatewaySettings.load(Map.of("tokenrouter.home", "/nonexistent",
                    "tokenrouter.audit_forward_url", bad), Map.of()))
                    .as(bad).isInstanceOf(IllegalStateException.class).hasMessageContaining("audit_forward_url");
        }
    }

    /** One octet-counted frame: its length, a space, and that many bytes; null at the end of the stream. */
    private static String frame(InputStream in) throws IOException {
        StringBuilder length = new StringBuilder();
        for (int b = in.read(); b != ' '; b = in.read()) {
            if (b < 0) {
                return null;
            }
            length.append((char) b);
        }
        byte[] message = in.readNBytes(Integer.parseInt(length.toString()));
        return new String(message, StandardCharsets.UTF_8);
    }

    private AuditRepository.Entry append(String actor, String action, String outcome, String detail) {
        return chain.append(Instant.now(), actor, "10.0.0.9", action, outcome, detail);
    }

    private AuditForwarder forwarder(Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("tokenrouter.home", "/nonexistent");
        AuditForwarder forwarder = new AuditForwarder();
        forwarder.settings = GatewaySettings.load(all, Map.of());
        forwarder.chain = chain;
        forwarder.locks = TestDatabases.jobLocks(database);
        forwarder.http = new OutboundHttp();
        forwarder.node = TestDatabases.node(database);
        forwarder.scheduler = new Scheduler();
        return forwarder;
    }

    /** An HTTP receiver on loopback that keeps each body and bearer header and answers {@code status}. */
    private String receiver(List<String> bodies, List<String> tokens, AtomicInteger status) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/audit", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            exchange.getRequestBody().transferTo(body);
            bodies.add(body.toString(StandardCharsets.UTF_8));
            String token = exchange.getRequestHeaders().getFirst("Authorization");
            if (token != null) {
                tokens.add(token);
            }
            assertThat(exchange.getRequestHeaders().getFirst("Content-Type")).startsWith("application/x-ndjson");
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/audit";
    }

    private static List<JsonNode> lines(String body) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
