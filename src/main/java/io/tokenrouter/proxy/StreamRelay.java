package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.ErrorBody;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import io.tokenrouter.upstream.AnswerText;
import io.tokenrouter.upstream.SseEvent;
import io.tokenrouter.upstream.SseParser;
import io.tokenrouter.usage.TokenEstimator;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.jersey.server.ChunkedOutput;

/**
 * Relays an upstream SSE stream to the client event by event, as each arrives: it asks the upstream for
 * one buffer at a time and writes each complete event before asking for more, so no thread waits while
 * the upstream is silent and a slow client slows the upstream instead of filling memory.
 *
 * <p>The client's response is committed at the first valid event, so a malformed start or an early
 * failure still gets a proper error status. Usage is read from the events that carry it; the usage-only
 * event the gateway asked for is withheld. If the client goes away, the upstream call is cancelled.
 */
final class StreamRelay implements HttpResponse.BodySubscriber<Void> {

    private static final Logger LOG = Logger.getLogger(StreamRelay.class.getName());
    /** Generated text kept for estimation when no usage arrives, counted and cleared past this size. */
    private static final int ESTIMATE_BUFFER = 64 * 1024;

    private final Exchange exchange;
    private final StreamWatchdog watchdog;
    private final SseParser parser = new SseParser(this::onEvent);
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final List<String> pendingData = new java.util.ArrayList<>();
    private int pendingChars;
    private ChunkedOutput<byte[]> output;
    private Flow.Subscription subscription;
    private Usage reported;
    private long estimatedCompletion;
    private volatile boolean stopped;

    StreamRelay(Exchange exchange, StreamWatchdog watchdog) {
        this.exchange = exchange;
        this.watchdog = watchdog;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        watchdog.watch(exchange, this::timedOut);
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        exchange.touch();
        try {
            for (ByteBuffer buffer : buffers) {
                parser.feed(buffer);
                if (stopped) {
                    return;
                }
            }
        } catch (IllegalStateException e) {
            stop(GatewayException.upstreamInvalid(exchange.route.provider().name(), e.getMessage()), "upstream_error");
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        if (!stopped) {
            stop(UpstreamFailures.map(exchange.route.provider(), error), "upstream_error");
        }
        done.complete(null);
    }

    @Override
    public void onComplete() {
        if (!stopped) {
            parser.finish();
        }
        if (!stopped) {
            stopped = true;
            watchdog.forget(exchange);
            if (output == null) {
                exchange.fail(GatewayException.upstreamInvalid(exchange.route.provider().name(),
                        "the event stream ended without any event"), usage());
                return;
            }
            close();
            exchange.finish(200, usage(), "ok", null);
        }
        done.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
        return done;
    }

    private void onEvent(SseEvent event) {
        if (stopped) {
            return;
        }
        JsonNode json = null;
        if (event.data() != null && !event.isDone() && (output == null || event.data().contains("\"usage\""))) {
            json = parse(event.data());
            if (json == null) {
                malformed(event);
                return;
            }
            exchange.adapter.usage(json).ifPresent(u -> reported = u);
            if (exchange.dropUsageEvent && exchange.adapter.isGatewayUsageEvent(json, exchange.endpoint)) {
                return;
            }
        }
        collectForEstimate(event);
        if (exchange.capturedAnswer != null) {
            captureText(event, json);
        }
        write(event.raw());
    }

    /** Reassembles the answer for conversation capture (only when capture is on: it parses every event). */
    private void captureText(SseEvent event, JsonNode parsed) {
        if (event.data() == null || event.isDone()) {
            return;
        }
        JsonNode json = parsed != null ? parsed : parse(event.data());
        if (json != null) {
            if (exchange.responseId == null) {
                exchange.responseId = AnswerText.id(json);
            }
            exchange.capture(AnswerText.delta(json));
        }
    }

    private void malformed(SseEvent event) {
        GatewayException error = GatewayException.upstreamInvalid(exchange.route.provider().name(),
                "an event's data is not JSON: " + BufferedAnswer.snippet(event.data().getBytes(StandardCharsets.UTF_8)));
        if (output == null) {
            stop(error, "upstream_error");
        } else {
            LOG.warning(exchange + " relaying an event whose data is not JSON");
            write(event.raw());
        }
    }

    private void write(byte[] raw) {
        try {
            if (output == null) {
                output = new ChunkedOutput<>(byte[].class);
                exchange.commit(Response.ok(output, "text/event-stream")
                        .header("Cache-Control", "no-cache")
                        .header("X-Accel-Buffering", "no")
                        .build());
            }
            output.write(raw);
        } catch (IOException | RuntimeException e) {
            clientGone(e);
        }
    }

    private void clientGone(Exception e) {
        LOG.log(Level.FINE, exchange + " client went away; cancelling the upstream call", e);
        stopped = true;
        subscription.cancel();
        watchdog.forget(exchange);
        close();
        exchange.finish(499, usage(), "client_closed", null);
        done.complete(null);
    }

    private void timedOut() {
        stop(GatewayException.upstreamTimeout(exchange.route.provider().name(), exchange.route.provider().readTimeout()),
                "upstream_timeout");
        subscription.cancel();
        done.complete(null);
    }

    /** Ends the relay on an upstream failure: an error status if nothing was sent yet, else a final error event. */
    private synchronized void stop(GatewayException error, String outcome) {
        if (stopped) {
            return;
        }
        stopped = true;
        watchdog.forget(exchange);
        if (output == null) {
            subscription.cancel();
            exchange.fail(error, usage());
            return;
        }
        LOG.info(exchange + " upstream stream failed after the first event: " + error.getMessage());
        try {
            output.write(("data: " + new String(ErrorBody.bytes(error), StandardCharsets.UTF_8) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException ignored) {
            // the client is gone as well; nothing more to tell it
        }
        close();
        exchange.finish(200, usage(), outcome, error);
    }

    /**
     * Keeps event data for estimation only until usage is reported; it is parsed lazily (when the buffer
     * fills, or at the end if no usage came), so streams that report usage cost no extra parsing.
     */
    private void collectForEstimate(SseEvent event) {
        if (reported != null || event.data() == null || event.isDone()) {
            return;
        }
        pendingData.add(event.data());
        pendingChars += event.data().length();
        if (pendingChars > ESTIMATE_BUFFER) {
            estimatedCompletion += countPending();
        }
    }

    private long countPending() {
        StringBuilder text = new StringBuilder();
        for (String data : pendingData) {
            JsonNode node = parse(data);
            if (node != null) {
                TokenEstimator.appendAnswerText(node, text);
            }
        }
        pendingData.clear();
        pendingChars = 0;
        return TokenEstimator.count(text);
    }

    private Usage usage() {
        if (reported != null) {
            return reported;
        }
        long completion = estimatedCompletion + countPending();
        Usage estimate = exchange.estimate("");
        return new Usage(estimate.promptTokens(), completion, 0, 0, true);
    }

    private void close() {
        if (output != null) {
            try {
                output.close();
            } catch (IOException | RuntimeException ignored) {
                // already closed by a client that went away
            }
        }
    }

    private static JsonNode parse(String data) {
        try {
            return Json.parse(data);
        } catch (IOException e) {
            return null;
        }
    }
}
