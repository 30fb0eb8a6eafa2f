package io.tokenrouter.routing;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.events.EventLog;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's view of which targets ({@code provider/model}, or a provider's key) are failing. A target
 * that fails {@code cooldown_failures} times within {@code cooldown_window}, or answers 429 with
 * {@code Retry-After}, cools down: routing skips it while another target is left, for the Retry-After
 * (at most {@code cooldown_max}) or else a back-off that starts at {@code cooldown} and doubles with
 * each cool-down in a row. A success ends the streak. Entering and leaving a cool-down are each one
 * event in the event log. Kept per node on purpose: it is a local observation of a provider that every
 * node makes for itself within seconds, not shared state.
 */
@ApplicationScoped
public class TargetHealth {

    /** At most this many targets are tracked; past it, targets without a recent failure are forgotten. */
    static final int MAX_TRACKED = 10_000;

    @Inject
    GatewaySettings settings;
    @Inject
    EventLog events;
    @Inject
    Scheduler scheduler;

    private final Map<String, State> states = new ConcurrentHashMap<>();
    /** Time, as a monotonic count of nanoseconds and as wall-clock instants for the views (tests move both). */
    java.util.function.LongSupplier nanoTime = System::nanoTime;
    java.time.Clock clock = java.time.Clock.systemUTC();

    /** One target's failures within the window and its cool-down, if any. */
    private static final class State {
        final Deque<Long> failures = new ArrayDeque<>();
        long coolingUntilNanos;
        Instant coolingUntil;
        String reason;
        int streak;
        boolean announced;
        int lastStatus;
        Instant lastFailure;
    }

    /** What {@code GET /api/providers/health} shows for one target. */
    public record View(String target, String state, int recentFailures, Instant coolingUntil, String reason,
                       Integer lastStatus, Instant lastFailure) {
    }

    @PostConstruct
    void start() {
        scheduler.tick(Duration.ofSeconds(1), "cool-down ends", this::announceEnds);
    }

    /** Whether {@code target} is cooling down now. */
    public boolean cooling(String target) {
        State s = states.get(target);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.coolingUntil != null && nanoTime.getAsLong() < s.coolingUntilNanos;
        }
    }

    /** An attempt on {@code target} failed with {@code status} (0: no answer); {@code retryAfter} from a 429, or null. */
    public void failed(String target, int status, Duration retryAfter) {
        State s = track(target);
        String entered = null;
        synchronized (s) {
            long now = noteFailure(s, status);
            s.failures.addLast(now);
            long window = settings.cooldownWindow().toNanos();
            while (!s.failures.isEmpty() && now - s.failures.peekFirst() > window) {
                s.failures.removeFirst();
            }
            if (status == 429 && retryAfter != null) {
                entered = coolDown(s, target, now, min(retryAfter, settings.cooldownMax()),
                        "HTTP 429 with Retry-After " + retryAfter.toSeconds() + " s");
            } else if (s.failures.size() >= settings.cooldownFailures()) {
                entered = coolDown(s, target, now, backOff(s), s.failures.size() + " failures within "
                        + settings.cooldownWindow().toSeconds() + " s (last: " + (status == 0 ? "no answer" : "HTTP " + status) + ")");
            }
        }
        if (entered != null) {
            events.warn("routing", target, entered);
        }
    }

    /**
     * A provider's pool key was refused: it cools down at once, for the Retry-After of a 429 (or the
     * back-off), and for {@code cooldown_max} after a 401 (a key that is not accepted rarely comes back soon).
     */
    public void keyRefused(String key, int status, Duration retryAfter) {
        State s = track(key);
        String entered;
        synchronized (s) {
            long now = noteFailure(s, status);
            Duration wait = status == 401 ? settings.cooldownMax()
                    : retryAfter != null ? min(retryAfter, settings.cooldownMax()) : backOff(s);
            entered = coolDown(s, key, now, wait, "HTTP " + status
                    + (status == 429 && retryAfter != null ? " with Retry-After " + retryAfter.toSeconds() + " s" : ""));
        }
        if (entered != null) {
            events.warn("routing", key, entered);
        }
    }

    private State track(String target) {
        if (states.size() >= MAX_TRACKED && !states.containsKey(target)) {
            forgetQuiet();
        }
        return states.computeIfAbsent(target, k -> new State());
    }

    /** Under the state's lock: remembers the failure; answers the time. */
    private long noteFailure(State s, int status) {
        s.lastStatus = status;
        s.lastFailure = clock.instant();
        return nanoTime.getAsLong();
    }

    private Duration backOff(State s) {
        return min(settings.cooldown().multipliedBy(1L << Math.min(s.streak, 16)), settings.cooldownMax());
    }

    /**
     * Under the state's lock: cools the target down for {@code wait} (a running cool-down is only ever
     * extended); answers the event to log when this starts a cool-down, else null.
     */
    private String coolDown(State s, String target, long now, Duration wait, String why) {
        boolean coolingNow = s.coolingUntil != null && now < s.coolingUntilNanos;
        if (coolingNow && now + wait.toNanos() <= s.coolingUntilNanos) {
            return null;
        }
        s.coolingUntilNanos = now + wait.toNanos();
        s.coolingUntil = clock.instant().plus(wait);
        s.reason = why;
        s.failures.clear();
        if (coolingNow) {
            return null;
        }
        s.streak++;
        if (s.announced) {
            return null;
        }
        s.announced = true;
        return "Target " + target + " cools down for " + io.tokenrouter.config.Durations.format(wait) + ": " + why;
    }

    /** An attempt on {@code target} succeeded: its failures and back-off are forgotten. */
    public void succeeded(String target) {
        State s = states.get(target);
        if (s == null) {
            return;
        }
        boolean left;
        synchronized (s) {
            left = s.announced;
            s.announced = false;
            s.failures.clear();
            s.streak = 0;
            s.coolingUntil = null;
            s.coolingUntilNanos = 0;
        }
        if (left) {
            events.info("routing", target, "Target " + target + " answers again; its cool-down is over");
        }
        states.remove(target, s);
    }

    /** Every tracked target, cooling ones first. */
    public List<View> view() {
        long now = nanoTime.getAsLong();
        List<View> result = new ArrayList<>();
        states.forEach((target, s) -> {
            synchronized (s) {
                boolean cooling = s.coolingUntil != null && now < s.coolingUntilNanos;
                long window = settings.cooldownWindow().toNanos();
                int recent = (int) s.failures.stream().filter(t -> now - t <= window).count();
                result.add(new View(target, cooling ? "cooling_down" : "healthy", recent, cooling ? s.coolingUntil : null,
                        cooling ? s.reason : null, s.lastStatus == 0 ? null : s.lastStatus, s.lastFailure));
            }
        });
        result.sort(Comparator.comparing((View v) -> !v.state().equals("cooling_down")).thenComparing(View::target));
        return result;
    }

    /** Logs, once, the end of each cool-down that ran out. */
    void announceEnds() {
        long now = nanoTime.getAsLong();
        states.forEach((target, s) -> {
            boolean ended;
            synchronized (s) {
                ended = s.announced && s.coolingUntil != null && now >= s.coolingUntilNanos;
                if (ended) {
                    s.announced = false;
                }
            }
            if (ended) {
                events.info("routing", target, "Target " + target + "'s cool-down ended; it is tried again");
            }
        });
    }

    private void forgetQuiet() {
        long now = nanoTime.getAsLong();
        long window = settings.cooldownWindow().toNanos();
        states.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                State s = e.getValue();
                boolean cooling = s.coolingUntil != null && now < s.coolingUntilNanos;
                return !cooling && (s.failures.isEmpty() || now - s.failures.peekLast() > window);
            }
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
