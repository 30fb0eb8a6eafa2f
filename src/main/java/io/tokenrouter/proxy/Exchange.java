package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.GatewayExceptionMapper;
import io.tokenrouter.api.Usage;
import io.tokenrouter.lifecycle.FinishedRequest;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.routing.Route;
import io.tokenrouter.usage.TokenEstimator;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.upstream.AnswerModel;
import io.tokenrouter.upstream.CredentialScrubber;
import io.tokenrouter.store.Outcome;
import io.tokenrouter.upstream.OpenAiPassthroughAdapter;
import io.tokenrouter.translate.Translation;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One proxied request in flight, from the client's side: who asked, what is forwarded, the suspended client
 * response, timings, and the single place it ends. Whatever way the request ends, {@link #finish} builds exactly
 * one {@link UsageRecord}; the last bytes of an answer are sent once that record is stored.
 *
 * <p>Its tries are its {@link Attempts}: an attempt that fails before the client received a byte may be
 * abandoned for another key or target while the request's deadline allows. The attempt number guards against
 * late callbacks of an abandoned attempt; {@link #route} is the current attempt's target.
 */
final class Exchange {

    /** The response header (and closing event-stream comment) that says what an answer cost, in US dollars. */
    static final String COST_HEADER = "x-tokenrouter-cost";

    final String requestId;
    final Caller caller;
    final Endpoint endpoint;
    final boolean stream;
    /** The gateway added {@code stream_options.include_usage}; the usage-only event is not the client's. */
    final boolean dropUsageEvent;
    /** The request as the client sent it (in its API), {@code model} set for the current target when it speaks the same. */
    final ObjectNode requestBody;
    final ClientInfo client;
    /** The {@code id} of the answer (chat, completion or response id), for conversation threads. */
    volatile String responseId;
    /** The Responses API conversation the answer belongs to, if it names one. */
    volatile String conversationId;
    /** Reassembled answer text for conversation capture; null when capture is off. */
    final StringBuilder capturedAnswer;
    volatile long lastActivityNanos;
    /** What the answer cost in US dollars ("0.001234"), once finished; null when its model has no price. */
    volatile String cost;

    /** The prompt's tokens as the gateway counts them; -1 until counted. */
    private volatile long promptEstimate = -1;
    /** Names the answer's model as the client asked for it. */
    private final AnswerModel answerModel;
    private final AsyncResponse async;
    private final RequestCompletion completion;
    private final Reservation reservation;
    private final Attempts attempts;
    /** Where everything that writes to the client runs, in order, off the upstream client's threads. */
    private final Executor lane;
    private final long startNanos;
    private final Instant startTime;
    private final long deadlineNanos;
    /** The most prompt and completion tokens the request can have cost (what it reserved for). */
    private final long promptBound;
    private final long completionBound;
    private final long continuationBound;
    private volatile boolean upstreamAnswered;
    private volatile long firstByteNanos;
    private final AtomicBoolean finished = new AtomicBoolean();
    /** The client's answer has been started (respond, fail or commit): later attempts are ignored. */
    private final AtomicBoolean answered = new AtomicBoolean();

    /**
     * @param trace    the request as it arrived, with its bounds
     * @param forward  what is forwarded: endpoint, body, stream, and how the provider is spoken to
     * @param attempts the request's tries, its first target chosen
     */
    Exchange(RequestTrace trace, Forward forward, Attempts attempts, AsyncResponse async,
             RequestCompletion completion, Reservation reservation, boolean capture, long deadlineNanos) {
        this.requestId = trace.requestId;
        this.startNanos = trace.startNanos;
        this.startTime = trace.startTime;
        this.lastActivityNanos = startNanos;
        this.client = trace.client;
        this.caller = trace.caller;
        this.endpoint = forward.endpoint();
        this.stream = forward.stream();
        this.dropUsageEvent = forward.dropUsageEvent();
        this.requestBody = forward.body();
        this.attempts = Objects.requireNonNull(attempts);
        String asked = trace.requestedModel;
        this.answerModel = AnswerModel.of(asked == null || asked.isBlank() ? attempts.route().publicModel() : asked.trim());
        this.async = async;
        this.completion = completion;
        this.reservation = reservation;
        this.capturedAnswer = capture ? new StringBuilder() : null;
        this.lane = completion.clientLane();
        this.deadlineNanos = deadlineNanos;
        this.promptBound = trace.promptBound;
        this.completionBound = trace.completionBound;
        this.continuationBound = trace.continuationBound;
    }

    /** What one exchange forwards, whichever target it goes to. */
    record Forward(Endpoint endpoint, ObjectNode body, boolean stream, boolean dropUsageEvent) {
    }

    /** The current attempt's target. */
    Route route() {
        return attempts.route();
    }

    /**
     * The translation for an attempt to {@code route}, a target of the other API than the client's; null when both
     * speak the same. A stream translated for an Anthropic client starts with the prompt's count, made here (on the
     * request's thread for the first attempt) and once.
     */
    Translation translate(Route route, long defaultMaxTokens) {
        boolean anthropic = route.provider().speaksAnthropic();
        if (!Translation.needed(endpoint, anthropic)) {
            return null;
        }
        return Translation.between(endpoint, anthropic, new Translation.Request(defaultMaxTokens,
                OpenAiPassthroughAdapter.maximumField(Endpoint.CHAT_COMPLETIONS, route.provider().baseUrl()),
                stream && !dropUsageEvent && requestBody.path("stream_options").path("include_usage").asBoolean(false),
                stream && !anthropic ? promptEstimate() : 0));
    }

    /** The prompt's tokens as the gateway counts them (once). */
    private long promptEstimate() {
        long known = promptEstimate;
        if (known < 0) {
            known = TokenEstimator.promptTokens(requestBody);
            promptEstimate = known;
        }
        return known;
    }

    /** The current attempt's number, from 1. */
    int attempt() {
        return attempts.number();
    }

    /** The current attempt's credential. */
    String credential() {
        return attempts.credential();
    }

    /** Removes {@code credential} (a token the attempt's key was exchanged for) from the attempt's answer, too. */
    void alsoScrub(String credential) {
        attempts.alsoScrub(credential);
    }

    /** How an abandoned attempt's successor is started: afresh, nothing of the abandoned answer kept. */
    void sendWith(Consumer<Exchange> send) {
        attempts.sendWith(() -> {
            if (capturedAnswer != null) {
                capturedAnswer.setLength(0);
            }
            send.accept(this);
        });
    }

    /** Notes the provider's name for the model from its answer or first event; the first one counts. */
    void noteUpstreamModel(String name) {
        attempts.noteUpstreamModel(name);
    }

    /** {@code json} (an answer or an event) naming the model as the client asked for it. */
    byte[] namingAskedModel(byte[] json) {
        return answerModel.rewrite(json, attempts.upstreamModelJson());
    }

    /** The provider's name for the model as a response header value, or null (see {@link Attempts#upstreamModelHeader}). */
    String upstreamModelHeader() {
        return attempts.upstreamModelHeader();
    }

    /** What removes the current target's credentials from its answer (body, events, headers). */
    CredentialScrubber scrubber() {
        return attempts.scrubber();
    }

    /** Nanoseconds left until the request's deadline (never below 1 ms). */
    long nanosLeft() {
        return Math.max(1_000_000L, deadlineNanos - System.nanoTime());
    }

    /** The provider sent response headers: the request counts against request quotas from now on. */
    void markUpstreamAnswered(int status, Function<String, String> header) {
        upstreamAnswered = true;
        attempts.answered(status, header);
    }

    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    void markFirstByte() {
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
    }

    /**
     * Records the outcome and then answers the client with {@code response} (before anything was sent),
     * in the client's lane: a client that does not read blocks a writing thread, not the caller. The
     * recording runs on the caller's thread when it cannot block (its quota settles in memory), else in
     * the lane too.
     */
    void respond(Response response, Usage usage, Outcome outcome, GatewayException error) {
        respond(attempt(), response, usage, outcome, error);
    }

    /**
     * {@link #respond} for attempt {@code attempt}: a failure may start the next attempt instead, and an
     * abandoned attempt's late answer or failure is ignored.
     */
    void respond(int attempt, Response response, Usage usage, Outcome outcome, GatewayException error) {
        if (error != null && tryNext(attempt, response.getStatus(), error)) {
            return;
        }
        synchronized (this) {
            if (attempt != attempt() || !answered.compareAndSet(false, true)) {
                return;
            }
        }
        Runnable answer = () -> {
            markFirstByte();
            afterRecorded(finish(response.getStatus(), usage, outcome, error), () -> async.resume(withCost(response)));
        };
        if (reservation.settlesInMemory()) {
            answer.run();
        } else {
            lane.execute(answer);
        }
    }

    /** A successful answer with what it cost, when its model has a price (added to its own headers: no copy). */
    private Response withCost(Response response) {
        if (cost != null && response.getStatus() < 400) {
            response.getHeaders().add(COST_HEADER, cost);
        }
        return response;
    }

    /** Runs {@code write} in the lane once {@code recorded} completes: the record goes before the last bytes. */
    void afterRecorded(CompletionStage<Void> recorded, Runnable write) {
        recorded.whenComplete((ignored, failure) -> lane.execute(write));
    }

    /** Answers the client with an error in the envelope, before anything was sent. */
    void fail(GatewayException error, Usage usage) {
        respond(GatewayExceptionMapper.toResponseOf(error), usage, Outcome.ERROR, error);
    }

    /** {@link #fail} for attempt {@code attempt}; ignored when that attempt was abandoned already. */
    void fail(int attempt, GatewayException error, Usage usage) {
        respond(attempt, GatewayExceptionMapper.toResponseOf(error), usage, Outcome.ERROR, error);
    }

    /**
     * Whether the failure of {@code failedAttempt} is not the request's answer: it was abandoned already, or
     * another key or target takes over while nothing was answered and the deadline allows.
     */
    private synchronized boolean tryNext(int failedAttempt, int status, GatewayException error) {
        if (failedAttempt != attempt()) {
            return true;
        }
        long now = System.nanoTime();
        if (answered.get() || finished.get() || now >= deadlineNanos) {
            return false;
        }
        return attempts.moveOn(status, error, now);
    }

    /** Starts the client's streamed answer (called in the lane); later bytes go through the response's entity. */
    void commit(Response response) {
        answered.set(true);
        markFirstByte();
        async.resume(response);
    }

    /** The lane of this exchange's client writes. */
    Executor clientLane() {
        return lane;
    }

    /**
     * Ends the request once: its record is built (usage bounded by what the request can have cost) and handed
     * to the {@link io.tokenrouter.lifecycle.RequestLifecycle}; later calls are ignored. The stage completes
     * when the record is stored (see {@link io.tokenrouter.usage.UsageRecorder#record}).
     */
    CompletionStage<Void> finish(int status, Usage usage, Outcome outcome, GatewayException error) {
        if (!finished.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long now = System.nanoTime();
        String tries = attempts.finish(status, error, now);
        Route route = attempts.route();
        Usage reported = usage == null ? Usage.NONE : usage;
        Usage bounded = reported.within(promptBound, completionBound);
        GatewayException fault = bounded == reported ? error : implausible(route, reported, error);
        cost = completion.costText(route, bounded);
        UsageRecord record = new UsageRecord(requestId, startTime, caller.keyId(), caller.keyName(), caller.teamId(),
                caller.teamName(), route.provider().name(), route.publicModel(), route.upstreamModel(), endpoint.path(),
                status, stream, bounded, (now - startNanos) / 1_000_000,
                firstByteNanos == 0 ? null : (firstByteNanos - startNanos) / 1_000_000, outcome,
                client.ip(), client.userAgent(), fault == null ? null : fault.code(),
                fault == null ? null : fault.getMessage(), attempts.upstreamRequestId(), tries);
        return completion.finished(new FinishedRequest(record, cost, endpoint, requestBody,
                capturedAnswer == null ? null : capturedAnswer.toString(), responseId, conversationId,
                client.conversationId(), reservation, upstreamAnswered));
    }

    /**
     * A provider reported usage this request cannot have cost (negative, or beyond its prompt's and completion's
     * bounds): it is recorded and charged at the bounds, and the request is flagged as the provider's fault.
     */
    private GatewayException implausible(Route route, Usage reported, GatewayException error) {
        String what = "Provider '" + route.provider().name() + "' reported usage this request cannot have cost ("
                + reported.promptTokens() + " prompt, " + reported.completionTokens() + " completion tokens; at most "
                + promptBound + " and " + completionBound + "); it is recorded and charged at those bounds";
        completion.implausibleUsage(route.provider().name(), requestId, what);
        return error != null ? error : new GatewayException(200, "upstream_error", "upstream_usage_implausible", null, what);
    }

    /** Keeps answer text for conversation capture, up to {@code conversation_max_bytes} characters and a margin. */
    void capture(CharSequence text) {
        int limit = completion.captureLimit();
        if (capturedAnswer != null && capturedAnswer.length() < limit) {
            capturedAnswer.append(text, 0, Math.min(text.length(), limit - capturedAnswer.length()));
        }
    }

    /** Whether the request's outcome has been recorded. */
    boolean isRecorded() {
        return finished.get();
    }

    /** Whether the request is answered or recorded already (so a late failure must not answer it again). */
    boolean isFinished() {
        return finished.get() || answered.get();
    }

    /**
     * Usage for answers whose provider reported none (a stream cut off, a provider that never reports): the
     * prompt's text, token ids, tool and schema definitions counted with the tokenizer, plus what a continuation
     * prepends, never above its reserved bound; the answer's text counted.
     */
    Usage estimate(CharSequence answerText) {
        long prompt = TokenBudget.saturatedAdd(TokenEstimator.promptTokens(requestBody), continuationBound);
        if (promptBound > 0) {
            prompt = Math.min(prompt, promptBound);
        }
        return new Usage(prompt, TokenEstimator.count(answerText), 0, 0, true);
    }

    @Override
    public String toString() {
        return "[" + requestId + " key=" + caller.keyId() + " " + endpoint.path() + " -> " + route().qualifiedModel() + "]";
    }
}
