package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import io.tokenrouter.testing.Waits;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 6: clients that stop reading must not stall anybody else. Thirty-two clients ask for large
 * streams and never read them (with tiny receive windows, so the gateway's writes to them block), twice
 * as many as the upstream client has threads; other clients' requests must still complete promptly.
 */
class SlowReadersIT extends DeployedGateway {

    private static final int SLOW_READERS = 32;
    /** 2,000 events of 16 KiB (32 MiB): far more than the socket buffers between upstream, gateway and client hold. */
    private static final List<String> HUGE_STREAM;

    static {
        String piece = "lorem ipsum dolor sit amet, ".repeat(16 * 1024 / 28);
        List<String> events = new ArrayList<>();
        // usage up front, so the gateway relays the rest without estimating: only the client's writes are slow
        events.add(DefaultReplies.chatUsageChunk("gpt-4o", 10, 2000));
        for (int i = 0; i < 2000; i++) {
            events.add(DefaultReplies.chatChunk("gpt-4o", piece));
        }
        events.add("[DONE]");
        HUGE_STREAM = Collections.unmodifiableList(events);
    }

    @ArquillianResource
    URL deployment;

    @Test
    void clientsThatNeverReadDoNotStallOtherClients() throws Exception {
        List<Reply.Stream> huge = new ArrayList<>();
        for (int i = 0; i < SLOW_READERS; i++) {
            Reply.Stream stream = Reply.sse(HUGE_STREAM, 0);
            huge.add(stream);
            upstream().on("POST", "/v1/chat/completions", stream);
        }
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_READERS; i++) {
                stalled.add(streamWithoutReading());
            }
            // every huge stream has started, and then stopped moving: the gateway is stuck writing each of
            // them to a client that never reads, and no longer takes more from the upstream
            for (Reply.Stream stream : huge) {
                Waits.await("the stream reached the gateway", java.time.Duration.ofSeconds(30))
                        .until(() -> stream.sentAtNanos().size() >= 50);
            }
            assertThat(awaitStandstill(huge, 2_000, 60_000)).as("the huge streams came to a standstill").isTrue();
            for (Reply.Stream stream : huge) {
                assertThat(stream.sentAtNanos()).as("the gateway stopped taking events it could not deliver")
                        .hasSizeLessThan(HUGE_STREAM.size());
            }

            GatewayClient gateway = new GatewayClient(deployment);
            List<CompletableFuture<HttpResponse<String>>> others = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String body = "{\"model\":\"mock/gpt-4o-mini\",\"stream\":" + (i % 2 == 0)
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
                others.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return gateway.post("v1/chat/completions", body);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            long start = System.nanoTime();
            for (CompletableFuture<HttpResponse<String>> other : others) {
                HttpResponse<String> response = other.get(10, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("other clients are answered while 32 clients block their writes").isLessThan(10_000);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        for (Reply.Stream stream : huge) {
            assertThat(stream.awaitPeerClosedNanos(30_000)).as("the gateway hung up on the upstream of a client that left")
                    .isPositive();
        }
    }

    /** Sends a streaming request and never reads the answer, with a receive window as small as the OS allows. */
    private Socket streamWithoutReading() throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(deployment.getHost(), deployment.getPort()), 5000);
        byte[] body = ("{\"model\":\"mock/gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        String path = deployment.getPath().endsWith("/") ? deployment.getPath() : deployment.getPath() + "/";
        String head = "POST " + path + "v1/chat/completions HTTP/1.1\r\nHost: " + deployment.getHost() + ":"
                + deployment.getPort() + "\r\nAuthorization: Bearer " + GatewayClient.ADMIN_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return socket;
    }

    /** Waits until no stream has sent an event for {@code quietMillis}. */
    private static boolean awaitStandstill(List<Reply.Stream> streams, long quietMillis, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long last = -1;
        long quietSince = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            long sent = streams.stream().mapToLong(s -> s.sentAtNanos().size()).sum();
            if (sent != last) {
                last = sent;
                quietSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - quietSince >= quietMillis) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }
}
