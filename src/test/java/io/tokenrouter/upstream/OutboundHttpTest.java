package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calls off the request path have a whole-call deadline and never quote what they sent (issue 8 items 7, 8). */
class OutboundHttpTest {

    private final OutboundHttp http = new OutboundHttp();
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        http.close();
        if (server != null) {
            server.close();
        }
    }

    /** A server that answers headers at once, then drips one body byte a second for ever. */
    private URI drippingServer() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.getInputStream().read(new byte[4096]);
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                for (int i = 0; i < 1000; i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // the client gave up, as it should
            }
        }, "dripping-server");
        t.setDaemon(true);
        t.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/models");
    }

    @Test
    void aServerThatDripsItsAnswerIsCutOffAtTheWholeCallDeadline() throws Exception {
        URI uri = drippingServer();
        long start = System.nanoTime();

        assertThatThrownBy(() -> http.get(uri, Map.of(), Duration.ofMillis(1500)))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aRefusedConnectionNamesTheHostButNotTheCredential() throws Exception {
        ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int port = closed.getLocalPort();
        closed.close();

        assertThatThrownBy(() -> http.get(URI.create("http://127.0.0.1:" + port + "/v1/models"),
                Map.of("Authorization", "Bearer sk-secret-credential"), Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageNotContaining("sk-secret-credential");
    }
}
