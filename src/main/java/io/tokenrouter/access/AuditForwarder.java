package io.tokenrouter.access;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.AuditRepository;
import io.tokenrouter.store.AuditRepository.Entry;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.upstream.OutboundHttp;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends audit entries to {@code audit_forward_url} as they are written, so a copy lives where nobody with access
 * to the gateway's database can change it: every {@link #EVERY}, on one node of the cluster at a time (a lease),
 * the entries after the cluster-wide mark ({@code audit_forwarded}) go out in order, and the mark moves
 * only once the receiver took them. So each entry arrives at least once (twice only when an acknowledgement was
 * lost), and none is skipped, whichever node sends it.
 *
 * <p>Over {@code http(s)} the entries are posted as JSON Lines ({@code application/x-ndjson}, with {@code
 * audit_forward_token} as a bearer token), up to {@link #BATCH} a request, and a 2xx answer takes them. Over
 * {@code syslog+udp}, {@code syslog+tcp} (octet-counted, RFC 6587) or {@code syslog+tls}, each entry is an RFC 5424
 * message of facility 13 (log audit), severity informational or, for a refusal, warning, whose text is the entry's
 * JSON line. Syslog acknowledges nothing: entries written to a TCP or TLS connection that closed cleanly count as
 * taken, and what the network drops (UDP) or a receiver loses after reading is lost there; only HTTP confirms each
 * batch. Every send has a deadline of {@link #DEADLINE}, writes included.
 */
@ApplicationScoped
public class AuditForwarder {

    private static final Logger LOG = Logger.getLogger(AuditForwarder.class.getName());
    static final String JOB = "audit-forward";
    static final Duration EVERY = Duration.ofSeconds(2);
    static final int BATCH = 500;
    /** Batches one run sends at most, so that a long backlog does not hold the lease for long. */
    static final int BATCHES_PER_RUN = 20;
    static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final Duration LEASE = DEADLINE.multipliedBy(BATCHES_PER_RUN + 1);
    private static final int FACILITY_LOG_AUDIT = 13;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @Inject
    GatewaySettings settings;
    @Inject
    AuditRepository chain;
    @Inject
    JobLocks locks;
    @Inject
    OutboundHttp http;
    @Inject
    Scheduler scheduler;
    @Inject
    NodeRegistry node;

    private volatile long lastWarning;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public void start() {
        if (settings.auditForwardUrl().isPresent()) {
            scheduler.everyOutbound(EVERY, JOB, this::runIfLeader);
        }
    }

    void runIfLeader() {
        String owner = node.name() + " " + node.nodeId();
        if (!locks.tryAcquire(JOB, owner, LEASE)) {
            return;
        }
        try {
            forwarded.addAndGet(forward());
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastWarning > 60_000_000_000L) {
                lastWarning = now;
                LOG.warning("Audit entries could not be sent to " + target().getHost() + " (tried again every "
                        + EVERY.toSeconds() + " s): " + e.getMessage());
            }
        } finally {
            try {
                locks.release(JOB, owner);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.FINE, "The audit forwarder's lease runs out by itself", e);
            }
        }
    }

    /** Entries this node sent and the receiver took, since it started. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Runs of this node that could not send what waited (the receiver refused or was unreachable). */
    public long failures() {
        return failures.get();
    }

    /** Sends what waits, up to {@link #BATCHES_PER_RUN} batches; answers how many entries went. */
    int forward() throws IOException {
        int sent = 0;
        for (int batch = 0; batch < BATCHES_PER_RUN; batch++) {
            long from = chain.forwarded();
            List<Entry> entries = chain.page(from, null, null, BATCH);
            if (entries.isEmpty()) {
                break;
            }
            send(entries);
            if (!chain.markForwarded(from, entries.get(entries.size() - 1).seq())) {
                break;
            }
            sent += entries.size();
            if (entries.size() < BATCH) {
                break;
            }
        }
        return sent;
    }

    private URI target() {
        return settings.auditForwardUrl().orElseThrow();
    }

    private void send(List<Entry> entries) throws IOException {
        URI target = target();
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> post(target, entries);
            case "syslog+udp" -> datagrams(target, entries);
            default -> stream(target, scheme.equals("syslog+tls"), entries);
        }
    }

    private void post(URI target, List<Entry> entries) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Entry e : entries) {
            body.writeBytes(AuditService.jsonLine(e));
        }
        Map<String, String> headers = new HashMap<>();
        settings.auditForwardToken().ifPresent(token -> headers.put("Authorization", "Bearer " + token));
        OutboundHttp.Answer answer = http.post(target, headers, "application/x-ndjson", body.toByteArray(), DEADLINE);
        if (!answer.ok()) {
            throw new IOException("the receiver answered HTTP " + answer.status());
        }
    }

    private void datagrams(URI target, List<Entry> entries) throws IOException {
        InetSocketAddress to = new InetSocketAddress(target.getHost(), target.getPort());
        try (DatagramSocket socket = new DatagramSocket()) {
            for (Entry e : entries) {
                byte[] message = message(e);
                socket.send(new DatagramPacket(message, message.length, to));
            }
        }
    }

    /** TCP or TLS, each message preceded by its length in bytes and a space (RFC 6587 octet counting). */
    private void stream(URI target, boolean tls, List<Entry> entries) throws IOException {
        int millis = (int) DEADLINE.toMillis();
        Socket plain = new Socket();
        // a receiver that stops reading would block the write for good: the connection is closed at the deadline
        ScheduledFuture<?> deadline = scheduler.once(DEADLINE, "audit forward deadline", () -> {
            try {
                plain.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        });
        try (plain) {
            plain.connect(new InetSocketAddress(target.getHost(), target.getPort()), millis);
            plain.setSoTimeout(millis);
            Socket socket = plain;
            if (tls) {
                SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, target.getHost(), target.getPort(), true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.startHandshake();
                socket = secure;
            }
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            for (Entry e : entries) {
                byte[] message = message(e);
                frames.writeBytes((message.length + " ").getBytes(StandardCharsets.US_ASCII));
                frames.writeBytes(message);
            }
            out.write(frames.toByteArray());
            out.flush();
            socket.close();
        } finally {
            deadline.cancel(false);
        }
    }

    /** RFC 5424: {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG}, MSG in UTF-8 after a BOM. */
    byte[] message(Entry e) {
        int severity = "refused".equals(e.outcome()) ? 4 : 6;
        byte[] json = AuditService.jsonLine(e);
        String head = "<" + (FACILITY_LOG_AUDIT * 8 + severity) + ">1 " + e.time() + " " + hostName() + " tokenrouter - "
                + e.action() + " - ";
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        message.writeBytes(UTF8_BOM);
        message.write(json, 0, json.length - 1);
        return message.toByteArray();
    }

    /** The node's name as a syslog HOSTNAME: printable ASCII without spaces, at most 255 characters. */
    private String hostName() {
        String name = node.name().replaceAll("[^!-~]", "_");
        return name.isEmpty() ? "-" : name.substring(0, Math.min(255, name.length()));
    }
}
