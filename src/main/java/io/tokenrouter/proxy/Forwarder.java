package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.access.Caller;
import io.tokenrouter.access.ResponseOwners;
import io.tokenrouter.access.Unmetered;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.quota.QuotaGate;
import io.tokenrouter.quota.QuotaSubject;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.RoutePlan;
import io.tokenrouter.routing.RouteTable;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.store.Metric;
import io.tokenrouter.translate.Translation;
import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.upstream.UpstreamAdapter;
import io.tokenrouter.usage.TokenEstimator;
import io.tokenrouter.upstream.UpstreamCall;
import io.tokenrouter.upstream.ServiceKeyTokens;
import io.tokenrouter.upstream.UpstreamHttp;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.AsyncResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Forwards one {@code /v1} request: parse the body once, route the model to its plan of targets, check
 * the key may use them, reserve the quotas once, rewrite only {@code model} (and {@code stream_options}
 * for streams), and send it with the shared non-blocking client ({@link UpstreamHttp}). The answer is relayed by
 * {@link BufferedAnswer} or {@link StreamRelay} on the client's threads; the container thread returns
 * as soon as the request is on its way. An attempt that fails before the client got a byte is sent
 * again, unchanged but for {@code model}, to the plan's next target ({@link Exchange}).
 */
@ApplicationScoped
public class Forwarder {

    private static final String USER_AGENT = "TokenRouter/0.1";
    private static final String FALLBACK_MODELS = "models";
    /** The longest model name a request may give: longer than any provider's ids, short enough to compare cheaply. */
    static final int MAX_MODEL_NAME = 256;

    @Inject
    Routes routes;
    @Inject
    UpstreamHttp http;
    @Inject
    RequestCompletion completion;
    @Inject
    AttemptReports reports;
    @Inject
    StreamWatchdog watchdog;
    @Inject
    QuotaGate quotaGate;
    @Inject
    GatewaySettings settings;
    @Inject
    ResponseOwners owners;
    @Inject
    ServiceKeyTokens serviceKeyTokens;

    /**
     * What of the client's request goes on to the provider besides its body: OpenAI's beta header, Anthropic's
     * version and betas, and the query of a Messages API request (the Anthropic SDKs' {@code ?beta=true}, the one
     * passed on).
     */
    record ClientHeaders(String openAiBeta, String anthropicVersion, String anthropicBeta, String anthropicQuery) {
    }

    public void forward(RequestTrace trace, byte[] raw, ClientHeaders headers, AsyncResponse async) {
        if (completion.journalFull()) {
            throw new GatewayException(503, "server_error", "journal_full", null, "This node cannot record more requests:"
                    + " its journal is full while the database is unreachable or slow. Try again shortly, or another node.",
                    java.time.Duration.ofSeconds(5), null);
        }
        Endpoint endpoint = trace.endpoint;
        Caller caller = trace.caller;
        ObjectNode body = parseObject(raw);
        boolean stream = isStream(endpoint, body);
        trace.stream = stream;
        trace.requestedModel = requestedModel(body);
        RouteTable table = routes.current();
        RoutePlan plan = servedPlan(endpoint, allowedPlan(caller, table.plan(trace.requestedModel), trace.requestedModel));
        UpstreamAdapter adapter = UpstreamAdapter.of(endpoint.anthropic());
        Attempts attempts = new Attempts(plan, reports);
        Route route = attempts.first(trace.startNanos);
        trace.route = route;
        checkFallbackModels(caller, table, route, body);
        if (endpoint == Endpoint.RESPONSES) {
            checkContinuation(caller, plan, body);
        }
        Unmetered.check(caller, body, endpoint.anthropic() ? headers.anthropicBeta() : null);
        Reservation reservation = reserve(trace, plan, body, raw.length, adapter);
        boolean dropUsageEvent = adapter.prepare(body, route.upstreamModel(), endpoint, stream);
        trace.forwarded = true;
        long deadline = trace.startNanos + settings.requestDeadline().toNanos();
        Exchange exchange = new Exchange(trace, new Exchange.Forward(endpoint, body, stream, dropUsageEvent),
                attempts, async, completion, reservation, completion.captures(caller, table), deadline);
        exchange.sendWith(e -> send(e, headers));
        send(exchange, headers);
    }

    /**
     * The plan's targets whose provider serves the endpoint, in its API or translated ({@link Translation#serves});
     * a 400 when none does.
     */
    private static RoutePlan servedPlan(Endpoint endpoint, RoutePlan plan) {
        RoutePlan served = plan.filter(r -> Translation.serves(endpoint, r.provider().speaksAnthropic()));
        if (served == null) {
            throw GatewayException.invalidRequest("model", "The model '" + plan.publicModel() + "' is served by provider '"
                    + plan.first().provider().name() + "', which speaks Anthropic's Messages API: use it through /v1/messages"
                    + " or /v1/chat/completions, not /v1/" + endpoint.path() + ".");
        }
        return served;
    }

    /**
     * A token count for a model whose provider has no such endpoint (OpenAI's API has none): the gateway's
     * tokenizer counts the prompt as {@link TokenEstimator#promptTokens} does for estimates. Nothing is forwarded;
     * the request is recorded and counted like any other, with no tokens.
     */
    private static jakarta.ws.rs.core.Response countTokens(ObjectNode body) {
        ObjectNode answer = Json.MAPPER.createObjectNode().put("input_tokens", TokenEstimator.promptTokens(body));
        return jakarta.ws.rs.core.Response.ok(Json.bytes(answer), jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** The plan's targets this key may use; a 403 when it may use none. */
    private static RoutePlan allowedPlan(Caller caller, RoutePlan plan, String requested) {
        String asked = requested == null ? null : requested.trim();
        RoutePlan allowed = plan.filter(r -> caller.mayUse(r.publicModel(), r.qualifiedModel(), asked));
        if (allowed == null) {
            throw GatewayException.modelNotAllowed(plan.publicModel());
        }
        return allowed;
    }

    /**
     * Sends the exchange's current attempt to its target; a failure to send fails (or moves on from) that attempt.
     * A provider whose key is a service key is sent its bearer token: at once when this node holds one, else once
     * the key is exchanged (off the caller's thread).
     */
    private void send(Exchange exchange, ClientHeaders headers) {
        int attempt = exchange.attempt();
        Route route = exchange.route();
        if (exchange.endpoint == Endpoint.COUNT_TOKENS && !route.provider().speaksAnthropic()) {
            exchange.respond(attempt, countTokens(exchange.requestBody), io.tokenrouter.api.Usage.NONE,
                    io.tokenrouter.store.Outcome.OK, null);
            return;
        }
        if (!route.provider().authStyle().exchanged()) {
            send(exchange, headers, attempt, route, null);
            return;
        }
        CompletableFuture<ServiceKeyTokens.Bearer> auth = serviceKeyTokens.bearer(exchange.credential());
        if (auth.isDone() && !auth.isCompletedExceptionally()) {
            sendExchanged(exchange, headers, attempt, route, auth.join());
            return;
        }
        auth.whenComplete((found, error) -> {
            if (exchange.isFinished()) {
                return;
            }
            try {
                if (error == null) {
                    sendExchanged(exchange, headers, attempt, route, found);
                    return;
                }
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                exchange.fail(attempt, cause instanceof IllegalArgumentException ? new GatewayException(502,
                        "upstream_error", "provider_misconfigured", null, "Provider '" + route.provider().name()
                        + "' cannot be called: " + cause.getMessage() + "; an administrator must check its API key.")
                        : UpstreamFailures.map(route.provider(), cause), null);
            } catch (RuntimeException e) {
                exchange.fail(attempt, UpstreamFailures.map(route.provider(), e), null);
            }
        });
    }

    /** {@link #send} with the token a service key was exchanged for, which is scrubbed from the answer too. */
    private void sendExchanged(Exchange exchange, ClientHeaders headers, int attempt, Route route,
                               ServiceKeyTokens.Bearer bearer) {
        exchange.alsoScrub(bearer.token());
        send(exchange, headers, attempt, route, bearer.headers());
    }

    private void send(Exchange exchange, ClientHeaders headers, int attempt, Route route, Map<String, String> auth) {
        Translation translation = exchange.translate(route, settings.defaultMaxTokens());
        URI uri;
        Consumer<Request> fill;
        try {
            byte[] body;
            if (translation == null) {
                exchange.requestBody.put("model", route.upstreamModel());
                body = Json.bytes(exchange.requestBody);
                uri = route.provider().resolve(exchange.endpoint.path());
            } else {
                body = Json.bytes(translation.request(exchange.requestBody, route.upstreamModel()));
                uri = route.provider().resolve(translation.upstreamPath());
            }
            if ("beta=true".equals(headers.anthropicQuery()) && translation == null && route.provider().speaksAnthropic()) {
                uri = URI.create(uri + (uri.getRawQuery() == null ? "?" : "&") + "beta=true");
            }
            fill = fill(exchange, route, headers, body, auth);
        } catch (GatewayException e) {
            exchange.fail(attempt, e, null);
            return;
        } catch (IllegalArgumentException e) {
            // the JDK's message quotes the offending header value, which may be the provider's key: not kept
            exchange.fail(attempt, new GatewayException(502, "upstream_error", "provider_misconfigured", null,
                    "The request to provider '" + route.provider().name() + "' could not be built; an administrator"
                            + " must check the provider's base URL and API key."), null);
            return;
        }
        try {
            http.post(uri, route.provider().connectTimeout(), fill, headerTimeout(exchange, route),
                    head -> subscriber(exchange, attempt, route, translation, head), error -> {
                        if (!exchange.isFinished()) {
                            exchange.fail(attempt, UpstreamFailures.map(route.provider(), error), null);
                        }
                    });
        } catch (RuntimeException e) {
            exchange.fail(attempt, UpstreamFailures.map(route.provider(), e), null);
        }
    }

    /**
     * A Responses API request that continues a response ({@code previous_response_id}) or a conversation
     * ({@code conversation}, an id or an object with one) must continue one of the caller's team.
     */
    private void checkContinuation(Caller caller, RoutePlan plan, ObjectNode body) {
        Set<String> providers = new java.util.LinkedHashSet<>();
        plan.routes().forEach(r -> providers.add(r.provider().name()));
        owners.checkContinuation(caller, providers, "previous_response_id", Json.textOrNull(body, "previous_response_id"));
        JsonNode conversation = body.get("conversation");
        String conversationId = conversation == null ? null
                : conversation.isTextual() ? conversation.asText() : Json.textOrNull(conversation, "id");
        owners.checkContinuation(caller, providers, "conversation", conversationId);
    }

    /**
     * Takes the caller's limits that apply to this model before forwarding: one request, the most tokens the
     * request can cost ({@link PromptBound} and {@link TokenBudget}) and the most it can cost at the plan's
     * dearest prices. Under a token or cost limit the request's completion maximum is set to what was
     * reserved for, so that the provider cannot generate more. The byte bound is tried first; only when a
     * token or cost limit refuses it is the prompt counted with the tokenizer and tried once more.
     */
    private Reservation reserve(RequestTrace trace, RoutePlan plan, ObjectNode body, int bodyBytes, UpstreamAdapter adapter) {
        Caller caller = trace.caller;
        Endpoint endpoint = trace.endpoint;
        List<Route> routes = routesIncludingProviderFallbacks(plan, body);
        Set<String> names = modelNames(routes, plan.publicModel(), trace.requestedModel);
        boolean limitsCost = caller.limits(Metric.COST, names);
        boolean limitsTokens = limitsCost || caller.limits(Metric.TOKENS, names);
        long perChoice = TokenBudget.perChoice(endpoint, body, settings.defaultMaxTokens(), settings.maxReservedCompletionTokens());
        long choices = TokenBudget.choices(endpoint, body);
        long continuation = endpoint == Endpoint.RESPONSES ? continuationBound(plan, body) : 0;
        trace.continuationBound = continuation;
        // a token count generates nothing and is charged nothing: only its request counts
        long prompt = endpoint == Endpoint.COUNT_TOKENS ? 0 : TokenBudget.saturatedAdd(PromptBound.ofBytes(bodyBytes, body), continuation);
        trace.promptBound = prompt;
        trace.completionBound = limitsTokens ? perChoice * choices : settings.maxReservedCompletionTokens() * choices;
        List<Long> ids = caller.quotaIds(names);
        if (ids.isEmpty()) {
            return Reservation.NONE;
        }
        if (limitsTokens) {
            adapter.capCompletion(body, endpoint, perChoice, plan.first().provider().baseUrl());
        }
        Prices worst = limitsCost ? Prices.worstOf(routes, completion.prices()) : Prices.FREE;
        QuotaSubject subject = new QuotaSubject(caller.chain(), caller.chainNames(), caller.teamId(), caller.teamName(),
                ids, names, caller.limits().stream().filter(l -> l.outageCredit() > 0 && ids.contains(l.id()))
                .map(l -> new QuotaSubject.OutageCredit(l.id(), l.metric(), l.period(), l.outageCredit())).toList());
        long completionTokens = perChoice * choices;
        return quotaGate.reserve(subject, worst.ask(prompt, completionTokens), () -> {
            long counted = PromptBound.ofTokens(body, prompt - continuation);
            if (counted < 0 || counted + continuation >= prompt) {
                return null;
            }
            trace.promptBound = counted + continuation;
            return worst.ask(counted + continuation, completionTokens);
        });
    }

    /**
     * The plan's routes, and when the request names models its provider may fall back to ({@code models}), those
     * at each route's provider too: their prices and their limits count like the plan's own.
     */
    static List<Route> routesIncludingProviderFallbacks(RoutePlan plan, ObjectNode body) {
        JsonNode models = body.get(FALLBACK_MODELS);
        if (models == null || !models.isArray() || models.isEmpty()) {
            return plan.routes();
        }
        List<Route> routes = new java.util.ArrayList<>(plan.routes());
        for (Route route : plan.routes()) {
            for (JsonNode entry : models) {
                if (entry.isTextual() && !entry.asText().isBlank()) {
                    routes.add(new Route(route.provider(), entry.asText().trim(), entry.asText().trim()));
                }
            }
        }
        return routes;
    }

    /**
     * The names a request's model goes by, which decide whether a limit for one model applies: as asked, the
     * plan's public name (an alias) and each route's {@code provider/model} id.
     */
    private static Set<String> modelNames(List<Route> routes, String publicModel, String requested) {
        Set<String> names = new HashSet<>();
        if (requested != null && !requested.isBlank()) {
            names.add(requested.trim());
        }
        names.add(publicModel);
        routes.forEach(r -> names.add(r.qualifiedModel()));
        return names;
    }

    /**
     * What a continued Responses API conversation prepends: a {@code previous_response_id} the gateway answered
     * adds that answer's recorded context; one it does not know, a {@code conversation}, or input items
     * referenced by id ({@code item_reference}), the most any model reads ({@link PromptBound#MAX_CONTEXT_TOKENS}).
     */
    private long continuationBound(RoutePlan plan, ObjectNode body) {
        long bound = 0;
        String previous = Json.textOrNull(body, "previous_response_id");
        if (previous != null) {
            Long known = owners.contextTokens(plan.first().provider().name(), previous);
            bound = known != null ? known : PromptBound.MAX_CONTEXT_TOKENS;
        }
        JsonNode conversation = body.get("conversation");
        if (conversation != null && !conversation.isNull()) {
            bound = TokenBudget.saturatedAdd(bound, PromptBound.MAX_CONTEXT_TOKENS);
        }
        for (JsonNode item : body.path("input")) {
            if ("item_reference".equals(item.path("type").asText())) { // a stored item, by id: its size is unknown
                return TokenBudget.saturatedAdd(bound, PromptBound.MAX_CONTEXT_TOKENS);
            }
        }
        return bound;
    }

    private Flow.Subscriber<List<ByteBuffer>> subscriber(Exchange exchange, int attempt, Route route,
                                                        Translation translation, UpstreamCall.Head head) {
        exchange.markUpstreamAnswered(head.status(), head.header());
        if (head.status() == 401 && route.provider().authStyle().exchanged()) {
            serviceKeyTokens.refused(exchange.credential());
        }
        String type = head.header().apply("content-type");
        boolean eventStream = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
        if (exchange.stream && head.status() / 100 == 2 && eventStream) {
            return new StreamRelay(exchange, attempt, route, translation, watchdog);
        }
        BufferedAnswer answer = new BufferedAnswer(exchange, attempt, route, translation, head);
        Runnable onIdle = answer::timedOut;
        watchdog.watch(exchange, onIdle);
        answer.done().whenComplete((ok, error) -> {
            watchdog.forget(exchange, onIdle);
            if (error != null && !exchange.isFinished()) {
                exchange.fail(attempt, UpstreamFailures.map(answer.route().provider(), error), null);
            }
        });
        return answer;
    }

    /**
     * What the attempt's request carries (checked now; applied to each request built for it): to an Anthropic
     * provider its {@code anthropic-version} (the client's, else {@value AuthStyle#ANTHROPIC_VERSION}) and the
     * client's {@code anthropic-beta}; to an OpenAI one the client's {@code OpenAI-Beta}.
     */
    private static Consumer<Request> fill(Exchange exchange, Route route, ClientHeaders client, byte[] body,
                                          Map<String, String> exchanged) {
        String[] auth = route.provider().authStyle().header(exchange.credential());
        boolean anthropic = route.provider().speaksAnthropic();
        String version = anthropic ? client.anthropicVersion() != null && exchange.endpoint.anthropic()
                ? client.anthropicVersion() : AuthStyle.ANTHROPIC_VERSION : null;
        String beta = anthropic ? (exchange.endpoint.anthropic() ? client.anthropicBeta() : null) : client.openAiBeta();
        String betaHeader = anthropic ? "anthropic-beta" : "OpenAI-Beta";
        checkHeaderValue(exchange.requestId);
        if (auth != null) {
            checkHeaderValue(auth[1]);
        }
        if (exchanged != null) {
            exchanged.values().forEach(Forwarder::checkHeaderValue);
        }
        for (String value : new String[] {version, beta}) {
            if (value != null) {
                checkHeaderValue(value);
            }
        }
        String accept = exchange.stream ? "text/event-stream" : "application/json";
        return request -> request.headers(headers -> {
            headers.put(HttpHeader.CONTENT_TYPE, "application/json");
            headers.put(HttpHeader.ACCEPT, accept);
            headers.put(HttpHeader.USER_AGENT, USER_AGENT);
            headers.put("X-Request-ID", exchange.requestId);
            if (auth != null) {
                headers.put(auth[0], auth[1]);
            }
            if (exchanged != null) {
                exchanged.forEach(headers::put);
            }
            if (version != null) {
                headers.put("anthropic-version", version);
            }
            if (beta != null) {
                headers.put(betaHeader, beta);
            }
        }).body(new BytesRequestContent("application/json", body));
    }

    /** How long the attempt waits for the answer's head: the provider's read timeout, or less if the deadline is nearer. */
    private static Duration headerTimeout(Exchange exchange, Route route) {
        Duration left = Duration.ofNanos(exchange.nanosLeft());
        return left.compareTo(route.provider().readTimeout()) < 0 ? left : route.provider().readTimeout();
    }

    /** A header value with a line break or other control character would split the request: refused. */
    private static void checkHeaderValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("a header value holds a control character");
            }
        }
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
        if (model != null && model.isTextual() && model.asText().length() > MAX_MODEL_NAME) {
            throw GatewayException.invalidRequest("model", "'model' is " + model.asText().length()
                    + " characters long; a model name has at most " + MAX_MODEL_NAME + ".");
        }
        return model == null || model.isNull() ? null : model.asText();
    }

    /**
     * Some providers route on a list of models besides {@code model} (OpenRouter's {@code models}
     * fallbacks): each entry names a model of the same provider and must pass the same allow-lists, or a
     * key limited to one model could reach any other through it.
     */
    static void checkFallbackModels(Caller caller, RouteTable table, Route route, ObjectNode body) {
        JsonNode models = body.get(FALLBACK_MODELS);
        if (models == null || models.isNull()) {
            return;
        }
        if (!models.isArray()) {
            throw GatewayException.invalidRequest(FALLBACK_MODELS, "'models' must be an array of model names.");
        }
        for (JsonNode entry : models) {
            if (!entry.isTextual() || entry.asText().isBlank()) {
                throw GatewayException.invalidRequest(FALLBACK_MODELS, "'models' must be an array of model names.");
            }
            Route fallback = new Route(route.provider(), entry.asText().trim(), entry.asText().trim());
            if (!table.isAllowed(fallback) || !caller.mayUse(fallback.publicModel(), fallback.qualifiedModel())) {
                throw new GatewayException(403, "invalid_request_error", "model_not_allowed", FALLBACK_MODELS,
                        "The model '" + fallback.publicModel() + "' in 'models' is not allowed for this key.");
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
