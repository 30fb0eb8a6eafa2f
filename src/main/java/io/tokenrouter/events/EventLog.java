package io.tokenrouter.events;

import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.DatabaseUnavailableException;
import io.tokenrouter.store.EventRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operational log: provider failures, configuration changes (who changed what), sign-ins and failed
 * sign-ins, clean-up runs. Stored off the calling thread (while the database is unreachable, kept in memory and
 * in an {@link EventSpool} on disk); repeated provider failures are folded to one entry per provider and minute.
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
        scheduler.later("event", () -> store(new EventSpool.Event(at, level, category, actor, message)));
    }

    /**
     * Keeps the events that wait for the database on disk from now on, in the node's journal directory, and
     * stores those an earlier run left there. Until this is called they wait in memory only.
     */
    public void spoolTo(Path dir) {
        synchronized (waiting) {
            try {
                List<EventSpool.Event> left = new ArrayList<>();
                spool = EventSpool.open(dir, left);
                if (!left.isEmpty()) {
                    LOG.info(left.size() + " events an earlier run could not store are in " + spool.file() + "; storing them now");
                }
                ArrayDeque<EventSpool.Event> all = new ArrayDeque<>(left);
                all.addAll(waiting);
                waiting.clear();
                waiting.addAll(all);
                spooled = left.size();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Cannot read the events left in " + dir + "; events that wait for the database"
                        + " are kept in memory only", e);
                spool = null;
            }
        }
        flushWaiting();
    }

    /**
     * Stores an event, first those that waited for the database. While it is unreachable the event waits with
     * its own time, in memory (at most {@link #MAX_WAITING}, the oldest given up first) and in the spool on disk,
     * and is stored with the next event or tick after the database is back, or by the next run of this node.
     */
    private void store(EventSpool.Event event) {
        synchronized (waiting) {
            if (event != null) {
                waiting.add(event);
                while (waiting.size() > MAX_WAITING) {
                    waiting.poll();
                    spooled = Math.max(0, spooled - 1);
                    LOG.warning("More than " + MAX_WAITING + " events wait for the database; the oldest is given up");
                }
            }
            for (EventSpool.Event next = waiting.peek(); next != null; next = waiting.peek()) {
                try {
                    events.store(next.at(), next.level(), next.category(), next.actor(), next.message());
                } catch (DatabaseUnavailableException e) {
                    keepOnDisk();
                    return;
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Could not store event '" + next.message() + "'", e);
                }
                waiting.poll();
                if (spooled > 0 && --spooled % REWRITE_EVERY == 0) {
                    rewriteSpool(); // what is stored leaves the spool, so a kill now stores little twice
                }
            }
            if (spool != null && !spool.empty()) {
                rewriteSpool(); // every event in it is stored
            }
        }
    }

    /**
     * Writes the waiting events not yet on disk to the spool: appended when it holds only waiting events,
     * else the whole file rewritten, so that a restart stores no event twice.
     */
    private void keepOnDisk() {
        if (spool == null || spooled == waiting.size() && spool.holds(spooled)) {
            return;
        }
        if (!spool.holds(spooled)) {
            rewriteSpool();
            return;
        }
        try {
            spool.append(waiting.stream().skip(spooled).toList());
            spooled = waiting.size();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot write waiting events to " + spool.file() + "; they wait in memory only", e);
        }
    }

    private void rewriteSpool() {
        try {
            spool.replace(waiting);
            spooled = waiting.size();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot rewrite " + spool.file() + "; an event in it may be stored twice", e);
        }
    }

    /** Stores the events that waited for the database (called when it is back). */
    public void flushWaiting() {
        if (waiting() > 0) {
            scheduler.later("event", () -> store(null));
        }
    }

    /** Events waiting for the database. */
    public int waiting() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    static final int MAX_WAITING = 10_000;
    /** While the events that waited are stored, the spool is rewritten without the stored ones this often. */
    static final int REWRITE_EVERY = 100;
    /** Events that wait for the database, oldest first; the first {@link #spooled} of them are in the spool. */
    private final ArrayDeque<EventSpool.Event> waiting = new ArrayDeque<>();
    private int spooled;
    private EventSpool spool;
}
