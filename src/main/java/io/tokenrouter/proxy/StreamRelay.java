package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.ErrorBody;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.api.Usage;
import io.tokenrouter.routing.Route;
import io.tokenrouter.store.Outcome;
import io.tokenrouter.upstream.AnswerModel;
import io.tokenrouter.upstream.AnswerText;
import io.tokenrouter.upstream.SseEvent;
import io.tokenrouter.upstream.SseParser;
import io.tokenrouter.upstream.UpstreamAdapter;
import io.tokenrouter.translate.StreamTranslator;
import io.tokenrouter.translate.Translation;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.jersey.server.ChunkedOutput;

/**
 * Relays an upstream SSE stream to the client event by event, as each arrives: it asks the upstream for
 * one buffer at a time, parses it on the upstream client's thread, hands the complete events to its
 * {@link ClientWrites} lane and asks for the next buffer only once they are written. No thread waits
 * while the upstream is silent, a client that stops reading blocks a writing thread but never the
 * upstream client's threads, and a slow client slows its own upstream instead of filling memory.
 *
 * <p>The client's response is committed at the first valid event, so a malformed start or an early
 * failure still gets a proper error status. Usage is read from the events that carry it; the usage-only
 * event the gateway asked for is withheld, and the provider's own credentials are removed from every
 * event. The event that ends the answer ({@code [DONE]}, or the
 * Responses API's {@code response.completed}, {@code response.incomplete} or {@code response.failed}) and
 * anything after it are written only once the request's usage record is stored, so a client never holds
 * a complete answer the gateway has no record of. If the client goes away, the upstream call is
 * cancelled. Everything that touches the client's response runs in the lane, in order.
 */
final class StreamRelay implements Flow.Subscriber<List<ByteBuffer>> {

    private static final Logger LOG = Logger.getLogger(StreamRelay.class.getName());
    private static final Set<String> RESPONSES_END = Set.of("response.completed", "response.incomplete", "response.failed");

    private final Exchange exchange;
    /** The attempt this stream belongs to, and its target. */
    private final int attempt;
    private final Route route;
    private final StreamWatchdog watchdog;
    private final Executor lane;
    private final SseParser parser = new SseParser(this::onEvent);
    private final StreamUsage usage = new StreamUsage();
    /** Reads the provider's events (its API's). */
    private final UpstreamAdapter adapter;
    /** Turns the provider's events into the client's API's; null when both speak the same. */
    private final StreamTranslator translator;
    private final List<StreamTranslator.Frame> frames = new ArrayList<>();
    /** Events parsed from the current upstream buffer, to be written by the lane. */
    private List<byte[]> batch = new ArrayList<>();
    /** The event that ends the answer and any after it: written once the record is stored. */
    private final List<byte[]> tail = new ArrayList<>();
    private ChunkedOutput<byte[]> output;
    private Flow.Subscription subscription;
    /** No more events are taken from the upstream (it ended, failed, or the client left). */
    private volatile boolean stopped;
    /** The first event is yet to be written, so a failure can still be an error status. */
    private volatile boolean committed;
    private GatewayException parseFailure;

    /**
     * @param attempt     the attempt the stream answers, to {@code route}
     * @param translation that attempt's translation (null when the provider speaks the client's API)
     */
    StreamRelay(Exchange exchange, int attempt, Route route, Translation translation, StreamWatchdog watchdog) {
        this.exchange = exchange;
        this.attempt = attempt;
        this.route = route;
        this.watchdog = watchdog;
        this.lane = exchange.clientLane();
        this.adapter = UpstreamAdapter.of(route.provider().speaksAnthropic());
        this.translator = translation == null ? null : translation.stream();
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
                if (stopped || parseFailure != null) {
                    break;
                }
            }
        } catch (IllegalStateException e) {
            parseFailure = GatewayException.upstreamInvalid(route.provider().name(), e.getMessage());
        }
        List<byte[]> events = takeBatch();
        GatewayException failure = parseFailure;
        if (failure != null) {
            stopped = true;
            subscription.cancel();
            lane.execute(() -> {
                writeAll(events);
                fail(failure, Outcome.UPSTREAM_ERROR);
            });
            return;
        }
        if (stopped) {
            return;
        }
        if (events.isEmpty()) {
            subscription.request(1);
            return;
        }
        lane.execute(() -> {
            if (writeAll(events) && !stopped) {
                exchange.touch(); // a client that takes its events is progress too, for the idle-read watchdog
                subscription.request(1);
            }
        });
    }

    @Override
    public void onError(Throwable error) {
        if (!stopped) {
            stopped = true;
            GatewayException failure = UpstreamFailures.map(route.provider(), error);
            lane.execute(() -> fail(failure, Outcome.UPSTREAM_ERROR));
        }
    }

    @Override
    public void onComplete() {
        if (!stopped) {
            parser.finish();
            if (translator != null && parseFailure == null) {
                translator.end(frames);
                relayFrames();
            }
            stopped = true;
            List<byte[]> events = takeBatch();
            GatewayException failure = parseFailure;
            lane.execute(() -> {
                if (writeAll(events)) {
                    if (failure != null) {
                        fail(failure, Outcome.UPSTREAM_ERROR);
                    } else {
                        finish();
                    }
                }
            });
        }
    }


    private List<byte[]> takeBatch() {
        List<byte[]> events = batch;
        batch = new ArrayList<>();
        return events;
    }

    private void onEvent(SseEvent received) {
        if (stopped || parseFailure != null) {
            return;
        }
        SseEvent event = scrubbed(received);
        synchronized (tail) {
            if (!tail.isEmpty()) {
                tail.add(exchange.namingAskedModel(event.raw()));
                return;
            }
        }
        JsonNode json = null;
        if (event.data() != null && !event.isDone() && (translator != null || !committed && batch.isEmpty()
                || event.data().contains("\"usage\"") || event.event() == null && event.data().contains("\"message_stop\""))) {
            json = parse(event.data());
            if (json == null) {
                malformed(event);
                return;
            }
            JsonNode reporting = json;
            adapter.usage(json).ifPresent(reported -> usage.reported(reported, adapter.completesUsage(reporting)));
            exchange.noteUpstreamModel(AnswerModel.upstreamName(json));
            if (exchange.responseId == null && (exchange.endpoint == Endpoint.RESPONSES || exchange.endpoint.anthropic())) {
                exchange.responseId = AnswerText.id(json);
                exchange.conversationId = AnswerText.conversationId(json);
            }
            if (translator == null && exchange.dropUsageEvent && adapter.isGatewayUsageEvent(json, exchange.endpoint)) {
                return;
            }
        }
        usage.collect(event);
        if (exchange.capturedAnswer != null) {
            captureText(event, json);
        }
        if (translator == null) {
            relay(event.raw(), endsAnswer(event, json));
        } else if (event.isDone() || json != null) { // an event without data says nothing to translate
            translator.event(event.event(), json, frames);
            relayFrames();
        }
    }

    /** The translator's frames, relayed in order. */
    private void relayFrames() {
        frames.forEach(frame -> relay(frame.raw(), frame.ends()));
        frames.clear();
    }

    /** An event for the client, named for the asked model: the one that ends the answer, and any after it, to the tail. */
    private void relay(byte[] raw, boolean endsAnswer) {
        byte[] relayed = exchange.namingAskedModel(raw);
        synchronized (tail) {
            if (endsAnswer || !tail.isEmpty()) {
                tail.add(relayed);
                return;
            }
        }
        batch.add(relayed);
    }

    /** The event without the provider's credentials; the same event when it holds none. */
    private SseEvent scrubbed(SseEvent event) {
        byte[] raw = exchange.scrubber().scrub(event.raw());
        return raw == event.raw() ? event
                : new SseEvent(raw, exchange.scrubber().scrub(event.event()), exchange.scrubber().scrub(event.data()));
    }

    private boolean endsAnswer(SseEvent event, JsonNode json) {
        if (event.isDone()) {
            return true;
        }
        if (exchange.endpoint != Endpoint.RESPONSES && !exchange.endpoint.anthropic()) {
            return false;
        }
        String type = event.event() != null ? event.event() : json != null ? json.path("type").asText(null) : null;
        return type != null && (exchange.endpoint.anthropic() ? type.equals("message_stop") : RESPONSES_END.contains(type));
    }

    private List<byte[]> takeTail() {
        synchronized (tail) {
            List<byte[]> events = new ArrayList<>(tail);
            tail.clear();
            return events;
        }
    }

    private boolean answerEnded() {
        synchronized (tail) {
            return !tail.isEmpty();
        }
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
        GatewayException error = GatewayException.upstreamInvalid(route.provider().name(),
                "an event's data is not JSON: " + BufferedAnswer.snippet(event.data().getBytes(StandardCharsets.UTF_8)));
        if (!committed && batch.isEmpty()) {
            parseFailure = error;
        } else if (translator != null) {
            LOG.warning(exchange + " dropping an event whose data is not JSON: it cannot be translated");
        } else {
            LOG.warning(exchange + " relaying an event whose data is not JSON");
            batch.add(event.raw());
        }
    }

    /**
     * In the lane: writes the events, committing the response with them; false when the client is gone.
     * Events that arrived together leave together, in one chunk and one flush: a chunk each would cost a
     * flush and a socket write each and tell the client nothing sooner.
     */
    private boolean writeAll(List<byte[]> events) {
        if (events.isEmpty()) {
            return true;
        }
        try {
            if (output == null) {
                output = new ChunkedOutput<>(byte[].class);
                committed = true;
                exchange.commit(Response.ok(output, "text/event-stream")
                        .header("Cache-Control", "no-cache")
                        .header("X-Accel-Buffering", "no")
                        .header(BufferedAnswer.UPSTREAM_MODEL, exchange.upstreamModelHeader())
                        .build());
            }
            output.write(joined(events));
            return true;
        } catch (IOException | RuntimeException e) {
            clientGone(e);
            return false;
        }
    }

    /** The events as one array (the event itself when there is one). */
    private static byte[] joined(List<byte[]> events) {
        if (events.size() == 1) {
            return events.get(0);
        }
        int length = 0;
        for (byte[] raw : events) {
            length += raw.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] raw : events) {
            System.arraycopy(raw, 0, all, at, raw.length);
            at += raw.length;
        }
        return all;
    }

    /** In the lane. */
    private void clientGone(Exception e) {
        LOG.log(Level.FINE, exchange + " client went away; cancelling the upstream call", e);
        stopped = true;
        subscription.cancel();
        watchdog.forget(exchange);
        close();
        exchange.finish(499, usage(), Outcome.CLIENT_CLOSED, null);
    }

    private void timedOut() {
        stopped = true;
        subscription.cancel();
        GatewayException timeout = GatewayException.upstreamTimeout(route.provider().name(),
                route.provider().readTimeout());
        lane.execute(() -> fail(timeout, Outcome.UPSTREAM_TIMEOUT));
    }

    /** In the lane: the upstream stream ended well. */
    private void finish() {
        watchdog.forget(exchange);
        if (output == null && !answerEnded()) {
            exchange.fail(attempt, GatewayException.upstreamInvalid(route.provider().name(),
                    "the event stream ended without any event"), usage());
            return;
        }
        exchange.afterRecorded(exchange.finish(200, usage(), Outcome.OK, null), () -> {
            List<byte[]> tail = takeTail();
            if (exchange.cost != null) {
                // what the answer cost, as an event-stream comment every client skips and a person can read
                tail.add(0, (": " + Exchange.COST_HEADER + " " + exchange.cost + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            if (writeAll(tail)) {
                close();
            }
        });
    }

    /**
     * In the lane: an upstream failure, as an error status if nothing was sent yet, else a final error
     * event. A stream that fails after the event that ends the answer (a reset instead of a clean close)
     * has delivered the whole answer and finishes normally.
     */
    private void fail(GatewayException error, Outcome outcome) {
        if (exchange.isRecorded()) {
            return;
        }
        if (answerEnded()) {
            LOG.fine(exchange + " upstream stream failed after the end of the answer: " + error.getMessage());
            finish();
            return;
        }
        watchdog.forget(exchange);
        if (output == null) {
            exchange.fail(attempt, error, usage());
            return;
        }
        LOG.info(exchange + " upstream stream failed after the first event: " + error.getMessage());
        exchange.afterRecorded(exchange.finish(200, usage(), outcome, error), () -> {
            try {
                output.write(exchange.endpoint.anthropic()
                        ? StreamTranslator.anthropic("error", ErrorBody.anthropic(error.status(), error.getMessage()), false).raw()
                        : StreamTranslator.openAi(ErrorBody.of(error)).raw());
            } catch (IOException | RuntimeException ignored) {
                // the client is gone as well; nothing more to tell it
            }
            close();
        });
    }

    private Usage usage() {
        return usage.of(exchange);
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
