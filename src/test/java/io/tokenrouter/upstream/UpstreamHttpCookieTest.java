package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream client keeps no cookies: requests of different callers share its connections, so a cookie
 * a provider (or the CDN in front of it) sets in one caller's answer must not travel with the next
 * caller's request.
 */
class UpstreamHttpCookieTest {

    private HttpServer provider;
    private UpstreamHttp http;

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (provider != null) {
            provider.stop(0);
        }
    }

    @Test
    void aCookieSetInOneAnswerIsNotSentWithTheNextRequest() throws Exception {
        List<String> cookies = new CopyOnWriteArrayList<>();
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            cookies.add(String.valueOf(exchange.getRequestHeaders().getFirst("Cookie")));
            byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Set-Cookie", "__cf_bm=caller-one; Path=/; HttpOnly");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        provider.start();
        http = new UpstreamHttp();
        http.init();

        assertThat(post().get(10, TimeUnit.SECONDS)).isEqualTo("{\"ok\":true}");
        assertThat(post().get(10, TimeUnit.SECONDS)).isEqualTo("{\"ok\":true}");

        assertThat(cookies).containsExactly("null", "null");
    }

    private CompletableFuture<String> post() {
        return UpstreamCallTest.postEmptyObject(http,
                URI.create("http://127.0.0.1:" + provider.getAddress().getPort() + "/v1/chat/completions"));
    }
}
