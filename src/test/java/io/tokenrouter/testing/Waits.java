package io.tokenrouter.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * How tests wait for what happens in the background (a log row written, a cache refreshed, an event recorded):
 * Awaitility, trying at once and then every 50 ms until {@code atMost}, failing with what was awaited and the
 * last value seen. A fixed sleep is left only where a real delay is the thing tested.
 */
public final class Waits {

    private Waits() {
    }

    public static ConditionFactory await(String what, Duration atMost) {
        return Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50));
    }

    /** A server's log, read for a failure's message. */
    @FunctionalInterface
    public interface ServerLog {
        String read() throws IOException;
    }

    /**
     * Waits up to two minutes for the server process {@code server} to answer {@code GET url} with 200 (trying every
     * half second; refused connections mean it is not listening yet). Fails at once, with its log, when the process
     * dies, and with its log when the time is up.
     */
    public static void awaitServing(String what, Process server, HttpClient client, URI url, ServerLog log)
            throws IOException {
        try {
            await(what + " answering " + url, Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!server.isAlive()) {
                            throw new AssertionError(what + " stopped while starting:\n" + log.read());
                        }
                        return client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " did not answer " + url + " within 120 s:\n" + log.read(), e);
        }
    }
}
