package io.tokenrouter.proxy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.RoutePlan;
import io.tokenrouter.upstream.AnswerModel;
import io.tokenrouter.upstream.CredentialScrubber;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The tries of one request, apart from its answer to the client: the targets it may still try, the current
 * attempt (its number, target, pool key, and what its provider answered), and whether a failure moves on.
 *
 * <p>{@link #next} picks a target of the first group with healthy targets not yet tried, by weight; targets
 * cooling down are tried only when no healthy one is left. An attempt that fails before the client received a
 * byte, with no answer, a 429 or a 5xx, is abandoned for the next target; one whose pool key was refused (401,
 * 429) for another key of the same provider first. The outcome of every try is kept for the request log
 * ({@code provider/model status latency}).
 */
final class Attempts {

    private final RoutePlan plan;
    private final AttemptReports reports;
    /** Whether the targets' health matters: only when there is another target to go to. */
    private final boolean tracked;
    private final Set<Route> tried = new HashSet<>();
    private final Map<Route, Set<Integer>> triedKeys = new HashMap<>();
    private final List<String> outcomes = new ArrayList<>();

    /** The current attempt's number (from 1), target, and what removes its credentials from what it answers. */
    private volatile int number;
    private volatile Route route;
    private volatile CredentialScrubber scrubber;
    private volatile long startNanos;
    /** The provider's status for the current attempt; 0 until it answers. */
    private volatile int status;
    /** The index of the current attempt's key in its provider's pool; -1 before one is chosen or without a pool. */
    private volatile int keyIndex = -1;
    private volatile Duration retryAfter;
    private volatile String upstreamRequestId;
    /** The provider's own name for the model, from its answer or first event (null until seen), and as JSON. */
    private volatile String upstreamModelName;
    private volatile byte[] upstreamModelJson;
    /** Starts the current attempt (the forwarder's send); null when no retry is possible. */
    private Runnable sender;

    Attempts(RoutePlan plan, AttemptReports reports) {
        this.plan = plan;
        this.reports = reports;
        this.tracked = plan.size() > 1;
    }

    /** Chooses the first attempt's target; it starts at {@code startNanos}. */
    Route first(long startNanos) {
        Route chosen = next();
        begin(chosen, startNanos);
        return chosen;
    }

    /** How an abandoned attempt's successor is started. */
    void sendWith(Runnable send) {
        this.sender = send;
    }

    int number() {
        return number;
    }

    Route route() {
        return route;
    }

    CredentialScrubber scrubber() {
        return scrubber;
    }

    /** The current attempt's answer is also scrubbed of {@code credential} (the token its key was exchanged for). */
    void alsoScrub(String credential) {
        scrubber = scrubber.and(credential);
    }

    /** The provider sent the current attempt's response headers. */
    void answered(int status, Function<String, String> header) {
        this.status = status;
        this.retryAfter = status == 429 ? retryAfter(header.apply("retry-after")) : null;
        this.upstreamRequestId = scrubber.scrub(header.apply("x-request-id"));
        reports.upstreamHeaders(route.provider().name(), header);
    }

    String upstreamRequestId() {
        return upstreamRequestId;
    }

    /** Notes the provider's name for the model from its answer or first event; the first one counts. */
    void noteUpstreamModel(String name) {
        if (upstreamModelName == null && name != null) {
            upstreamModelJson = AnswerModel.quoted(name);
            upstreamModelName = name;
        }
    }

    byte[] upstreamModelJson() {
        return upstreamModelJson;
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

    /**
     * The credential for the current attempt: with a pool, a key chosen by weight among the healthy ones
     * this request has not tried (kept for the attempt); else the provider's one key.
     */
    synchronized String credential() {
        List<ProviderTarget.Key> keys = route.provider().keys();
        if (keys.isEmpty()) {
            return route.provider().credential();
        }
        if (keyIndex < 0) {
            keyIndex = Math.max(0, nextKey(route));
        }
        return keys.get(keyIndex).credential();
    }

    /**
     * Abandons the current attempt, if the failure is worth it and {@code mayRetry}: for another key of the same
     * provider when this key was refused (401, 429) and its pool has another, else for the next target; the
     * successor is started. False when the failure is the request's answer.
     */
    synchronized boolean moveOn(int answerStatus, GatewayException error, long nowNanos) {
        Runnable send = sender;
        if (send == null) {
            return false;
        }
        if (keyIndex >= 0 && (status == 401 || status == 429)) {
            reports.keyRefused(route, keyIndex, status, retryAfter);
            int other = nextKey(route);
            if (other >= 0) {
                ended(nowNanos);
                keyIndex = other;
                restart(nowNanos, send);
                return true;
            }
        }
        if (!retryable(status, answerStatus, error)) {
            return false;
        }
        Route following = next();
        if (following == null) {
            return false;
        }
        ended(nowNanos);
        reports.attemptEnded(route, status, retryAfter, false, true);
        begin(following, nowNanos);
        keyIndex = -1;
        restart(nowNanos, send);
        return true;
    }

    /**
     * The request ended with the current attempt: reports its target's and key's health and returns the tries
     * for the request log (null for one try). {@code answerStatus} 499 is a client that left: no one's fault.
     */
    synchronized String finish(int answerStatus, GatewayException error, long nowNanos) {
        String summary = null;
        if (!outcomes.isEmpty()) {
            ended(nowNanos);
            summary = String.join(", ", outcomes);
        }
        if (tracked && answerStatus != 499) {
            boolean upstreamFault = error != null && retryable(status, answerStatus, error);
            reports.attemptEnded(route, status, retryAfter, !upstreamFault, false);
        }
        if (keyIndex >= 0 && status / 100 == 2) {
            reports.keyAnswered(route, keyIndex);
        }
        return summary;
    }

    private void begin(Route target, long nowNanos) {
        route = target;
        scrubber = target.provider().scrubber();
        startNanos = nowNanos;
        number = Math.max(number, 1);
    }

    private void restart(long nowNanos, Runnable send) {
        upstreamRequestId = null;
        upstreamModelName = null;
        upstreamModelJson = null;
        retryAfter = null;
        status = 0;
        startNanos = nowNanos;
        number++;
        send.run();
    }

    /** Notes how the current try ended: its HTTP status (0 for no answer) and how long it took. */
    private void ended(long nowNanos) {
        outcomes.add(route.qualifiedModel() + " " + (status == 0 ? "-" : status) + " "
                + (nowNanos - startNanos) / 1_000_000 + "ms");
    }

    /** The next target to try, or null when every one was tried. */
    private Route next() {
        for (boolean healthyOnly : new boolean[] {true, false}) {
            for (List<RoutePlan.Candidate> group : plan.groups()) {
                List<RoutePlan.Candidate> left = group.stream()
                        .filter(c -> !tried.contains(c.route()) && (!healthyOnly || !cooling(c.route()))).toList();
                if (!left.isEmpty()) {
                    Route chosen = pick(left);
                    tried.add(chosen);
                    return chosen;
                }
            }
        }
        return null;
    }

    private boolean cooling(Route target) {
        return tracked && reports.cooling(target);
    }

    /**
     * A key of {@code target}'s provider pool this request has not tried yet, by weight, a cooling one only
     * when no other is left; -1 when every key was tried (or the provider has no pool).
     */
    private int nextKey(Route target) {
        List<ProviderTarget.Key> keys = target.provider().keys();
        Set<Integer> used = triedKeys.computeIfAbsent(target, r -> new HashSet<>());
        for (boolean healthyOnly : new boolean[] {true, false}) {
            int total = 0;
            for (int i = 0; i < keys.size(); i++) {
                if (!used.contains(i) && (!healthyOnly || !reports.keyCooling(keyName(target, i)))) {
                    total += keys.get(i).weight();
                }
            }
            if (total == 0) {
                continue;
            }
            int roll = ThreadLocalRandom.current().nextInt(total);
            for (int i = 0; i < keys.size(); i++) {
                if (!used.contains(i) && (!healthyOnly || !reports.keyCooling(keyName(target, i)))) {
                    roll -= keys.get(i).weight();
                    if (roll < 0) {
                        used.add(i);
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    /** How a pool key is named in the health view and the event log: never by the key itself. */
    static String keyName(Route route, int index) {
        return route.provider().name() + " key " + (index + 1);
    }

    private static Route pick(List<RoutePlan.Candidate> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0).route();
        }
        int total = candidates.stream().mapToInt(RoutePlan.Candidate::weight).sum();
        int roll = ThreadLocalRandom.current().nextInt(total);
        for (RoutePlan.Candidate c : candidates) {
            roll -= c.weight();
            if (roll < 0) {
                return c.route();
            }
        }
        return candidates.get(candidates.size() - 1).route();
    }

    /**
     * Whether a failure is worth another target: no answer at all (refused, reset, TLS, timeout), a
     * broken answer, or 429 and 5xx; never another 4xx, which the next target would refuse as well.
     */
    static boolean retryable(int upstreamStatus, int status, GatewayException error) {
        if (upstreamStatus / 100 == 4 && upstreamStatus != 429) {
            return false;
        }
        String code = error.code() == null ? "" : error.code();
        return status == 429 || status >= 500 || code.startsWith("upstream_");
    }

    /** A Retry-After value (seconds or an HTTP date) as a duration, or null. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 86_400));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }
}
