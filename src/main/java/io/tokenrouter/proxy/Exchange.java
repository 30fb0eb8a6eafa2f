package io.tokenrouter.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.api.GatewayExceptionMapper;
import io.tokenrouter.api.Usage;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.routing.Route;
import io.tokenrouter.usage.TokenEstimator;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.upstream.AnswerModel;
import io.tokenrouter.upstream.CredentialScrubber;
import io.tokenrouter.upstream.UpstreamAdapter;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One proxied request in flight: who asked, where it goes, the suspended client response, timings,
 * and the single place it finishes. Whatever way the request ends, {@link #finish} records exactly one
 * {@link UsageRecord}; the last bytes of an answer are sent once that record is stored.
 *
 * <p>A request may be tried on several targets (an alias's fallbacks), one at a time: an attempt that
 * fails before the client received a byte, with no answer, a 429 or a 5xx, is abandoned for the next
 * target while the request's deadline allows. The attempt number guards against late callbacks of an
 * abandoned attempt; {@link #route} is the current attempt's target.
 */
final class Exchange {

    final String requestId;
    final Caller caller;
    /** The current attempt's target. */
    volatile Route route;
    /** Removes the current target's credentials from what it answers. */
    private volatile CredentialScrubber scrubber;
    /** Names the answer's model as the client asked for it. */
    private final AnswerModel answerModel;
    /** The provider's own name for the model, from its answer or first event (null until seen), and as JSON. */
    private volatile String upstreamModelName;
    private volatile byte[] upstreamModelJson;
    final Endpoint endpoint;
    final boolean stream;
    /** The gateway added {@code stream_options.include_usage}; the usage-only event is not the client's. */
    final boolean dropUsageEvent;
    final UpstreamAdapter adapter;
    final ObjectNode requestBody;
    final ClientInfo client;
    private final AsyncResponse async;
    private final RequestCompletion completion;
    private final Reservation reservation;
    private volatile boolean upstreamAnswered;
    private volatile String upstreamRequestId;
    /** The {@code id} of the answer (chat, completion or response id), for conversation threads. */
    volatile String responseId;
    /** The Responses API conversation the answer belongs to, if it names one. */
    volatile String conversationId;
    /** Reassembled answer text for conversation capture; null when capture is off. */
    final StringBuilder capturedAnswer;
    private final long startNanos;
    private final Instant startTime;
    private final AtomicBoolean finished = new AtomicBoolean();
    /** The client's answer has been started (respond, fail or commit): later attempts are ignored. */
    private final AtomicBoolean answered = new AtomicBoolean();
    /** Where everything that writes to the client runs, in order, off the upstream client's threads. */
    private final java.util.concurrent.Executor lane;
    private volatile long firstByteNanos;
    volatile long lastActivityNanos;
    private final Attempts attempts;
    private final long deadlineNanos;
    /** The response header (and closing event-stream comment) that says what an answer cost, in US dollars. */
    static final String COST_HEADER = "x-tokenrouter-cost";
    /** What the answer cost in US dollars ("0.001234"), once finished; null when its model has no price. */
    volatile String cost;
    /** The most prompt and completion tokens the request can have cost (what it reserved for). */
    private final long promptBound;
    private final long completionBound;
    private final long continuationBound;
    private volatile int attempt = 1;
    private volatile long attemptStartNanos;
    private volatile int attemptStatus;
    /** The index of the current attempt's key in its provider's pool; -1 before one is chosen or without a pool. */
    private volatile int keyIndex = -1;
    private volatile java.time.Duration attemptRetryAfter;
    /** Starts the current attempt (the forwarder's send); null when no retry is possible. */
    private java.util.function.Consumer<Exchange> sender;

    Exchange(RequestTrace trace, Caller caller, Route route, Endpoint endpoint, boolean stream, boolean dropUsageEvent,
             UpstreamAdapter adapter, ObjectNode requestBody, AsyncResponse async,
             RequestCompletion completion, Reservation reservation, boolean capture, Attempts attempts,
             long deadlineNanos) {
        this.requestId = trace.requestId;
        this.startNanos = trace.startNanos;
        this.startTime = trace.startTime;
        this.lastActivityNanos = startNanos;
        this.client = trace.client;
        this.caller = caller;
        this.route = route;
        this.scrubber = route.provider().scrubber();
        String asked = trace.requestedModel;
        this.answerModel = AnswerModel.of(asked == null || asked.isBlank() ? route.publicModel() : asked.trim());
        this.endpoint = endpoint;
        this.stream = stream;
        this.dropUsageEvent = dropUsageEvent;
        this.adapter = adapter;
        this.requestBody = requestBody;
        this.async = async;
        this.completion = completion;
        this.reservation = reservation;
        this.capturedAnswer = capture ? new StringBuilder() : null;
        this.lane = completion.clientLane();
        this.attempts = java.util.Objects.requireNonNull(attempts);
        this.deadlineNanos = deadlineNanos;
        this.promptBound = trace.promptBound;
        this.completionBound = trace.completionBound;
        this.continuationBound = trace.continuationBound;
        this.attemptStartNanos = startNanos;
    }

    /** Notes the provider's name for the model from its answer or first event; the first one counts. */
    void noteUpstreamModel(String name) {
        if (upstreamModelName == null && name != null) {
            upstreamModelJson = AnswerModel.quoted(name);
            upstreamModelName = name;
        }
    }

    /** {@code json} (an answer or an event) naming the model as the client asked for it. */
    byte[] namingAskedModel(byte[] json) {
        return answerModel.rewrite(json, upstreamModelJson);
    }

    /**
     * The provider's name for the model as a response header value: printable ASCII of reasonable length,
     * or null (a provider's answer must not be able to add headers of its own).
     */
    String upstreamModelHeader() {
        String name = upstreamModelName;
        if (name == null || name.isEmpty() || name.length() > 200) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20 || name.charAt(i) > 0x7e) {
                return null;
            }
        }
        return scrubber.scrub(name);
    }

    /** What removes the current target's credentials from its answer (body, events, headers). */
    CredentialScrubber scrubber() {
        return scrubber;
    }

    /** How an abandoned attempt's successor is started. */
    void sendWith(java.util.function.Consumer<Exchange> send) {
        this.sender = send;
    }

    /** The current attempt's number, from 1. */
    int attempt() {
        return attempt;
    }

    /** Nanoseconds left until the request's deadline (never below 1 ms). */
    long nanosLeft() {
        return Math.max(1_000_000L, deadlineNanos - System.nanoTime());
    }

    /** The provider sent response headers: the request counts against request quotas from now on. */
    void markUpstreamAnswered(int status, java.util.function.Function<String, String> header) {
        upstreamAnswered = true;
        attemptStatus = status;
        attemptRetryAfter = status == 429 ? retryAfter(header.apply("retry-after")) : null;
        upstreamRequestId = scrubber.scrub(header.apply("x-request-id"));
        completion.upstreamHeaders(route.provider().name(), header);
    }

    boolean upstreamAnswered() {
        return upstreamAnswered;
    }

    Reservation reservation() {
        return reservation;
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
    void respond(Response response, Usage usage, String outcome, GatewayException error) {
        respond(attempt, response, usage, outcome, error);
    }

    /**
     * {@link #respond} for attempt {@code attempt}: a failure may start the next attempt instead, and an
     * abandoned attempt's late answer or failure is ignored.
     */
    void respond(int attempt, Response response, Usage usage, String outcome, GatewayException error) {
        if (error != null && tryNext(attempt, response.getStatus(), error)) {
            return;
        }
        synchronized (this) {
            if (attempt != this.attempt || !answered.compareAndSet(false, true)) {
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

    /** A successful answer with what it cost, when its model has a price. */
    private Response withCost(Response response) {
        return cost == null || response.getStatus() >= 400 ? response
                : Response.fromResponse(response).header(COST_HEADER, cost).build();
    }

    /** Runs {@code write} in the lane once {@code recorded} completes: the record goes before the last bytes. */
    void afterRecorded(CompletionStage<Void> recorded, Runnable write) {
        recorded.whenComplete((ignored, failure) -> lane.execute(write));
    }

    /** Answers the client with an error in the envelope, before anything was sent. */
    void fail(GatewayException error, Usage usage) {
        respond(GatewayExceptionMapper.toResponseOf(error), usage, "error", error);
    }

    /** {@link #fail} for attempt {@code attempt}; ignored when that attempt was abandoned already. */
    void fail(int attempt, GatewayException error, Usage usage) {
        respond(attempt, GatewayExceptionMapper.toResponseOf(error), usage, "error", error);
    }

    /**
     * Whether a failure is worth another target: no answer at all (refused, reset, TLS, timeout), a
     * broken answer, or 429 and 5xx; never another 4xx, which the next target would refuse as well.
     */
    private static boolean retryable(int upstreamStatus, int status, GatewayException error) {
        if (upstreamStatus / 100 == 4 && upstreamStatus != 429) {
            return false;
        }
        String code = error.code() == null ? "" : error.code();
        return status == 429 || status >= 500 || code.startsWith("upstream_");
    }

    /**
     * Abandons the current attempt, if the failure is worth it and the deadline allows: for another key
     * of the same provider when this key was refused (401, 429) and its pool has another, else for the
     * next target. True also for a failure of an attempt that was abandoned already (nothing to answer).
     */
    private synchronized boolean tryNext(int failedAttempt, int status, GatewayException error) {
        if (failedAttempt != attempt) {
            return true;
        }
        java.util.function.Consumer<Exchange> send = sender;
        if (send == null || answered.get() || finished.get()) {
            return false;
        }
        long now = System.nanoTime();
        if (now >= deadlineNanos) {
            return false;
        }
        boolean keyRefused = keyIndex >= 0 && (attemptStatus == 401 || attemptStatus == 429);
        if (keyRefused) {
            completion.keyRefused(route, keyIndex, attemptStatus, attemptRetryAfter);
            int other = attempts.nextKey(route, completion::keyCooling);
            if (other >= 0) {
                attempts.ended(route, attemptStatus, (now - attemptStartNanos) / 1_000_000);
                keyIndex = other;
                startAttempt(now, send);
                return true;
            }
        }
        if (!retryable(attemptStatus, status, error)) {
            return false;
        }
        Route next = attempts.next();
        if (next == null) {
            return false;
        }
        attempts.ended(route, attemptStatus, (now - attemptStartNanos) / 1_000_000);
        completion.attemptEnded(route, attemptStatus, attemptRetryAfter, false, true);
        route = next;
        scrubber = next.provider().scrubber();
        keyIndex = -1;
        startAttempt(now, send);
        return true;
    }

    private void startAttempt(long now, java.util.function.Consumer<Exchange> send) {
        upstreamRequestId = null;
        upstreamModelName = null;
        upstreamModelJson = null;
        attemptRetryAfter = null;
        if (capturedAnswer != null) {
            capturedAnswer.setLength(0);
        }
        attemptStatus = 0;
        attemptStartNanos = now;
        attempt++;
        send.accept(this);
    }

    /**
     * The credential for the current attempt: with a pool, a key chosen by weight among the healthy ones
     * this request has not tried (kept for the attempt); else the provider's one key.
     */
    synchronized String credential() {
        java.util.List<io.tokenrouter.routing.ProviderTarget.Key> keys = route.provider().keys();
        if (keys.isEmpty()) {
            return route.provider().credential();
        }
        if (keyIndex < 0) {
            keyIndex = attempts.nextKey(route, completion::keyCooling);
            if (keyIndex < 0) {
                keyIndex = 0;
            }
        }
        return keys.get(keyIndex).credential();
    }
    /** Starts the client's streamed answer (called in the lane); later bytes go through the response's entity. */
    void commit(Response response) {
        answered.set(true);
        markFirstByte();
        async.resume(response);
    }

    /** The lane of this exchange's client writes. */
    java.util.concurrent.Executor clientLane() {
        return lane;
    }

    /**
     * Settles the quota reservation and records the request, once; later calls are ignored. The stage
     * completes when the record is stored (see {@link io.tokenrouter.usage.UsageRecorder#record}).
     */
    CompletionStage<Void> finish(int status, Usage usage, String outcome, GatewayException error) {
        if (!finished.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long now = System.nanoTime();
        String tries = null;
        if (attempts.count() > 0) {
            attempts.ended(route, attemptStatus, (now - attemptStartNanos) / 1_000_000);
            tries = attempts.summary();
        }
        if (attempts.tracked() && status != 499) {
            boolean upstreamFault = error != null && retryable(attemptStatus, status, error);
            completion.attemptEnded(route, attemptStatus, attemptRetryAfter, !upstreamFault, false);
        }
        if (keyIndex >= 0 && attemptStatus / 100 == 2) {
            completion.keyAnswered(route, keyIndex);
        }
        Usage reported = usage == null ? Usage.NONE : usage;
        Usage bounded = reported.within(promptBound, completionBound);
        GatewayException fault = error;
        if (bounded != reported) {
            fault = implausible(reported, error);
        }
        cost = completion.costText(route, bounded);
        return completion.finished(this, new UsageRecord(requestId, startTime, caller.keyId(), caller.keyName(), caller.teamId(),
                caller.teamName(), route.provider().name(), route.publicModel(), route.upstreamModel(), endpoint.path(),
                status, stream, bounded, (now - startNanos) / 1_000_000,
                firstByteNanos == 0 ? null : (firstByteNanos - startNanos) / 1_000_000, outcome,
                client.ip(), client.userAgent(), fault == null ? null : fault.code(),
                fault == null ? null : fault.getMessage(), upstreamRequestId, tries));
    }

    /**
     * A provider reported usage this request cannot have cost (negative, or beyond its prompt's and completion's
     * bounds): it is recorded and charged at the bounds, and the request is flagged as the provider's fault.
     */
    private GatewayException implausible(Usage reported, GatewayException error) {
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

    /** A Retry-After value (seconds or an HTTP date) as a duration, or null. */
    static java.time.Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : java.time.Duration.ofSeconds(Math.min(seconds, 86_400));
        } catch (NumberFormatException e) {
            try {
                Instant at = java.time.ZonedDateTime.parse(value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                java.time.Duration d = java.time.Duration.between(Instant.now(), at);
                return d.isNegative() ? java.time.Duration.ZERO : d;
            } catch (java.time.format.DateTimeParseException ignored) {
                return null;
            }
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
        return "[" + requestId + " key=" + caller.keyId() + " " + endpoint.path() + " -> " + route.qualifiedModel() + "]";
    }
}
