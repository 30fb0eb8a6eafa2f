package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.quota.QuotaGate;
import io.tokenrouter.quota.QuotaSubject;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.upstream.OpenAiPassthroughAdapter;
import io.tokenrouter.upstream.UpstreamAdapter;
import io.tokenrouter.upstream.UpstreamHttp;
import io.tokenrouter.usage.TokenEstimator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.AsyncResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Forwards one {@code /v1} request: parse the body once, route the model, check the key may use it,
 * rewrite only {@code model} (and {@code stream_options} for streams), and send it with the shared
 * asynchronous client. The answer is relayed by {@link BufferedAnswer} or {@link StreamRelay} on the
 * client's threads; the container thread returns as soon as the request is on its way.
 */
@ApplicationScoped
public class Forwarder {

    private static final String USER_AGENT = "TokenRouter/0.1";

    @Inject
    Routes routes;
    @Inject
    UpstreamHttp http;
    @Inject
    RequestCompletion completion;
    @Inject
    StreamWatchdog watchdog;
    @Inject
    QuotaGate quotaGate;
    @Inject
    GatewaySettings settings;

    private final UpstreamAdapter adapter = OpenAiPassthroughAdapter.INSTANCE;

    void forward(Endpoint endpoint, byte[] raw, Caller caller, ClientInfo client, String openAiBeta, AsyncResponse async) {
        ObjectNode body = parseObject(raw);
        boolean stream = isStream(endpoint, body);
        Route route = routes.current().resolve(requestedModel(body));
        checkAllowed(caller, route);
        Reservation reservation = reserve(caller, endpoint, body);
        boolean dropUsageEvent = adapter.prepare(body, route.upstreamModel(), endpoint, stream);
        Exchange exchange = new Exchange(newRequestId(), caller, route, endpoint, stream, dropUsageEvent, adapter,
                body, client, async, completion, reservation, completion.captures(caller, routes.current()));
        try {
            http.client(route.provider().connectTimeout())
                    .sendAsync(request(exchange, openAiBeta), info -> subscriber(exchange, info))
                    .whenComplete((response, error) -> {
                        if (error != null && !exchange.isFinished()) {
                            exchange.fail(UpstreamFailures.map(route.provider(), error), null);
                        }
                    });
        } catch (RuntimeException e) {
            exchange.fail(UpstreamFailures.map(route.provider(), e), null);
        }
    }

    /** Takes the caller's quotas before forwarding: one request, and the prompt plus the maximum completion. */
    private Reservation reserve(Caller caller, Endpoint endpoint, ObjectNode body) {
        if (caller.quotaIds().isEmpty()) {
            return Reservation.NONE;
        }
        long completion = endpoint == Endpoint.EMBEDDINGS ? 0 : maxCompletionTokens(body);
        return quotaGate.reserve(new QuotaSubject(caller.chain(), caller.chainNames(), caller.teamId(), caller.teamName(),
                caller.quotaIds()), TokenEstimator.promptTokens(body) + completion);
    }

    private long maxCompletionTokens(ObjectNode body) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
            JsonNode value = body.get(field);
            if (value != null && value.canConvertToLong() && value.asLong() > 0) {
                return value.asLong();
            }
        }
        return settings.defaultMaxTokens();
    }

    private HttpResponse.BodySubscriber<Void> subscriber(Exchange exchange, HttpResponse.ResponseInfo info) {
        exchange.markUpstreamAnswered(info.headers());
        boolean eventStream = info.headers().firstValue("content-type")
                .map(type -> type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")).orElse(false);
        if (exchange.stream && info.statusCode() / 100 == 2 && eventStream) {
            return new StreamRelay(exchange, watchdog);
        }
        BufferedAnswer answer = new BufferedAnswer(exchange, info);
        watchdog.watch(exchange, answer::timedOut);
        answer.getBody().whenComplete((ok, error) -> {
            watchdog.forget(exchange);
            if (error != null && !exchange.isFinished()) {
                exchange.fail(UpstreamFailures.map(exchange.route.provider(), error), null);
            }
        });
        return answer;
    }

    private static HttpRequest request(Exchange exchange, String openAiBeta) {
        Route route = exchange.route;
        java.net.URI uri = route.provider().resolve(exchange.endpoint.path());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .version(UpstreamHttp.versionFor(uri))
                .timeout(route.provider().readTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", exchange.stream ? "text/event-stream" : "application/json")
                .header("User-Agent", USER_AGENT)
                .header("X-Request-ID", exchange.requestId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(exchange.requestBody)));
        String[] auth = route.provider().authStyle().header(route.provider().credential());
        if (auth != null) {
            request.header(auth[0], auth[1]);
        }
        if (openAiBeta != null) {
            request.header("OpenAI-Beta", openAiBeta);
        }
        return request.build();
    }

    private static ObjectNode parseObject(byte[] raw) {
        if (raw.length == 0) {
            throw GatewayException.invalidRequest(null, "The request body is empty; send a JSON object.");
        }
        JsonNode tree;
        try {
            tree = Json.parse(raw);
        } catch (IOException e) {
            throw GatewayException.invalidJson(firstLine(e.getMessage()));
        }
        if (!(tree instanceof ObjectNode object)) {
            throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
        }
        return object;
    }

    private static boolean isStream(Endpoint endpoint, ObjectNode body) {
        JsonNode stream = body.get("stream");
        if (stream == null || stream.isNull()) {
            return false;
        }
        if (!stream.isBoolean()) {
            throw GatewayException.invalidRequest("stream", "'stream' must be a boolean.");
        }
        if (stream.asBoolean() && !endpoint.streams()) {
            throw GatewayException.invalidRequest("stream", "The " + endpoint.path() + " endpoint does not stream.");
        }
        return stream.asBoolean();
    }

    private static String requestedModel(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw GatewayException.invalidRequest("model", "'model' must be a string.");
        }
        return model == null || model.isNull() ? null : model.asText();
    }

    private static void checkAllowed(Caller caller, Route route) {
        if (!caller.mayUse(route.publicModel(), route.qualifiedModel())) {
            throw GatewayException.modelNotAllowed(route.publicModel());
        }
    }

    private static String newRequestId() {
        return "req_" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
                + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
