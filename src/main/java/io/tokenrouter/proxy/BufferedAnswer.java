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
import io.tokenrouter.upstream.UpstreamAdapter;
import io.tokenrouter.upstream.UpstreamCall;
import io.tokenrouter.translate.Translation;
import io.tokenrouter.usage.TokenEstimator;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a whole (non-streamed) upstream answer, then answers the client: a 2xx JSON body passes
 * through byte for byte with its usage read (or, from a provider of the other API, is translated); an upstream error keeps its status and, when it is JSON,
 * its body; anything else is a 502 in the envelope. The provider's own credentials are removed from the
 * body first, whatever its status.
 */
final class BufferedAnswer implements Flow.Subscriber<List<ByteBuffer>> {

    static final int MAX_BYTES = 64 * 1024 * 1024;
    /** The response header naming the model as the provider called it (the body names it as the client asked). */
    static final String UPSTREAM_MODEL = "x-tokenrouter-upstream-model";

    private final Exchange exchange;
    /** The attempt this answer belongs to, and its target. */
    private final int attempt;
    private final Route route;
    private final UpstreamCall.Head head;
    /** Reads the provider's answer (its API's). */
    private final UpstreamAdapter adapter;
    /** Turns the provider's answer into the client's API's; null when both speak the same. */
    private final Translation translation;
    /** The answer as it arrives: sized by its Content-Length when the provider gives one (within bounds). */
    private final ByteArrayOutputStream body;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private Flow.Subscription subscription;

    /**
     * @param attempt     the attempt the answer belongs to, to {@code route}
     * @param translation that attempt's translation (null when the provider speaks the client's API)
     */
    BufferedAnswer(Exchange exchange, int attempt, Route route, Translation translation, UpstreamCall.Head head) {
        this.exchange = exchange;
        this.attempt = attempt;
        this.route = route;
        this.head = head;
        this.adapter = UpstreamAdapter.of(route.provider().speaksAnthropic());
        this.translation = translation;
        this.body = new ByteArrayOutputStream(initialSize(head.header().apply("content-length")));
    }

    /** What to hold at first: the announced length up to 64 KiB (the rest grows as it comes), else 1 KiB. */
    static int initialSize(String contentLength) {
        if (contentLength != null) {
            try {
                return (int) Math.max(32, Math.min(64 * 1024, Long.parseLong(contentLength.trim())));
            } catch (NumberFormatException e) {
                return 1024;
            }
        }
        return 1024;
    }

    Route route() {
        return route;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        exchange.touch();
        for (ByteBuffer b : buffers) {
            if (body.size() + b.remaining() > MAX_BYTES) {
                subscription.cancel();
                onError(new IOException("answer larger than " + MAX_BYTES + " bytes"));
                return;
            }
            if (b.hasArray()) {
                body.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                b.position(b.limit());
            } else {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                body.writeBytes(chunk);
            }
        }
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        try {
            answer(body.toByteArray());
        } catch (RuntimeException e) {
            exchange.fail(attempt, new GatewayException(500, "server_error", "internal_error", null,
                    "The gateway failed while relaying the answer.", null, e), Usage.NONE);
        }
        done.complete(null);
    }

    /** The upstream went silent for longer than its read timeout: give up on it. */
    void timedOut() {
        subscription.cancel();
        exchange.fail(attempt, GatewayException.upstreamTimeout(route.provider().name(),
                route.provider().readTimeout()), null);
        done.complete(null);
    }

    /** Completes when the answer was handled, exceptionally when its body could not be read. */
    CompletionStage<Void> done() {
        return done;
    }

    private void answer(byte[] received) {
        byte[] bytes = exchange.scrubber().scrub(received);
        int status = head.status();
        String provider = route.provider().name();
        JsonNode json = Json.parseOrNull(bytes);
        if (status / 100 == 2) {
            if (json == null || !json.isContainerNode()) {
                exchange.fail(attempt, GatewayException.upstreamInvalid(provider, "the body is not JSON: " + snippet(bytes)), null);
                return;
            }
            if (exchange.capturedAnswer != null || exchange.endpoint == Endpoint.RESPONSES) {
                exchange.responseId = AnswerText.id(json);
                exchange.conversationId = AnswerText.conversationId(json);
            }
            if (exchange.capturedAnswer != null) {
                exchange.capture(AnswerText.of(json));
            }
            exchange.noteUpstreamModel(AnswerModel.upstreamName(json));
            byte[] answer = translation == null ? bytes : translation.answer(json);
            exchange.respond(attempt, Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(exchange.namingAskedModel(answer))
                    .header(UPSTREAM_MODEL, exchange.upstreamModelHeader()).build(), usageOf(json), Outcome.OK, null);
        } else if (status / 100 == 3) {
            exchange.fail(attempt, GatewayException.upstreamInvalid(provider, "unexpected redirect (HTTP " + status + ")"), null);
        } else {
            byte[] body = json != null && json.isObject() ? bytes : wrapped(status, bytes);
            upstreamError(status, translation != null && json != null && json.isObject() ? translation.error(body, json, status) : body);
        }
    }

    private void upstreamError(int status, byte[] body) {
        GatewayException error = new GatewayException(status, "upstream_error", "upstream_http_" + status, null,
                "Provider '" + route.provider().name() + "' answered HTTP " + status);
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        String retryAfter = exchange.scrubber().scrub(head.header().apply("retry-after"));
        if (retryAfter != null) {
            response.header("Retry-After", retryAfter);
        }
        exchange.respond(attempt, response.build(), null, Outcome.UPSTREAM_ERROR, error);
    }

    private byte[] wrapped(int status, byte[] body) {
        return Json.bytes(ErrorBody.of("Provider '" + route.provider().name() + "' answered HTTP " + status
                + ": " + snippet(body), "upstream_error", null, "upstream_http_" + status));
    }

    private Usage usageOf(JsonNode answer) {
        if (exchange.endpoint == Endpoint.COUNT_TOKENS) {
            return Usage.NONE; // a token count generates nothing and costs nothing
        }
        return adapter.usage(answer).orElseGet(() -> {
            StringBuilder text = new StringBuilder();
            TokenEstimator.appendAnswerText(answer, text);
            return exchange.estimate(text);
        });
    }

    static String snippet(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "(empty)" : text + (bytes.length > 200 ? "…" : "");
    }
}
