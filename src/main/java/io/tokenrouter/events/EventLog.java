package io.tokenrouter.events;

import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.DatabaseUnavailableException;
import io.tokenrouter.store.EventRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operational log: provider failures, configuration changes (who changed what), sign-ins and failed
 * sign-ins, clean-up runs. Stored off the calling thread; repeated provider failures are folded to one
 * entry per provider and minute.
 */
@ApplicationScoped
public class EventLog {

    private static final Logger LOG = Logger.getLogger(EventLog.class.getName());

    @Inject
    EventRepository events;
    @Inject
    Scheduler scheduler;

    /** What time it is; tests move it. */
    Clock clock = Clock.systemUTC();
    /** When each provider's last failure was logged, in epoch milliseconds. */
    private final ConcurrentHashMap<String, Long> lastProviderFailure = new ConcurrentHashMap<>();

    public EventLog() {
    }

    /** For use outside CDI. */
    public EventLog(EventRepository events, Scheduler scheduler) {
        this.events = events;
        this.scheduler = scheduler;
    }

    public void info(String category, String actor, String message) {
        write("info", category, actor, message);
    }

    public void warn(String category, String actor, String message) {
        write("warn", category, actor, message);
    }

    public void error(String category, String actor, String message) {
        write("error", category, actor, message);
    }

    /** A failed upstream call; at most one entry per provider and minute. */
    public void providerFailure(String provider, String message) {
        long now = clock.millis();
        Long last = lastProviderFailure.get(provider);
        if (last != null && now - last < 60_000L && now >= last) {
            return;
        }
        lastProviderFailure.put(provider, now);
        write("error", "provider", provider, message);
    }

    private void write(String level, String category, String actor, String message) {
        Instant at = clock.instant();
        scheduler.later("event", () -> store(new Pending(at, level, category, actor, message)));
    }

    /**
     * Stores an event, first those that waited for the database; while it is unreachable the event waits in
     * memory (at most {@link #MAX_WAITING}, the oldest given up first) with its own time, and is stored with the
     * next event or tick after the database is back.
     */
    private void store(Pending event) {
        if (event != null) {
            waiting.add(event);
            while (waiting.size() > MAX_WAITING && waiting.poll() != null) {
                LOG.warning("More than " + MAX_WAITING + " events wait for the database; the oldest is given up");
            }
        }
        synchronized (waiting) {
            for (Pending next = waiting.peek(); next != null; next = waiting.peek()) {
                try {
                    events.store(next.at(), next.level(), next.category(), next.actor(), next.message());
                } catch (DatabaseUnavailableException e) {
                    return; // kept for later
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Could not store event '" + next.message() + "'", e);
                }
                waiting.poll();
            }
        }
    }

    /** Stores the events that waited for the database (called when it is back). */
    public void flushWaiting() {
        if (!waiting.isEmpty()) {
            scheduler.later("event", () -> store(null));
        }
    }

    /** Events waiting for the database. */
    public int waiting() {
        return waiting.size();
    }

    static final int MAX_WAITING = 10_000;
    private final java.util.concurrent.ConcurrentLinkedQueue<Pending> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record Pending(Instant at, String level, String category, String actor, String message) {
    }
}
