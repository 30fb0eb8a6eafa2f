package io.tokenrouter.store;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Whether this node finds the database reachable. The first failure that says the database is gone (a refused
 * or broken connection, a server shutting down or starting up) begins an outage: from then on every
 * transaction fails at once, without touching the connection pool, and one probe a second looks for the
 * database; the first probe that gets a valid connection ends the outage. So a request never waits on a
 * database that is down, only, at the outage's start, on the one attempt that found it down (bounded by the
 * pool's {@code database_wait}).
 */
public final class DatabaseOutage {

    private static final Logger LOG = Logger.getLogger(DatabaseOutage.class.getName());
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    /** When the current outage began; null while the database is reachable. */
    private volatile Instant since;
    private volatile String cause;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong outages = new AtomicLong();
    private final AtomicLong refusedCalls = new AtomicLong();
    private final BooleanSupplier probe;
    private final Consumer<Change> listener;

    /** The start or the end of an outage: its start, its end (null at the start) and what began it. */
    public record Change(Instant since, Instant ended, String cause) {
        public Duration length() {
            return Duration.between(since, ended == null ? Instant.now() : ended);
        }
    }

    DatabaseOutage(BooleanSupplier probe, Consumer<Change> listener) {
        this.probe = probe;
        this.listener = listener;
    }

    /** Whether the database is known to be unreachable now. */
    public boolean down() {
        return since != null;
    }

    /** When the current outage began, or null. */
    public Instant since() {
        return since;
    }

    /** What began the current outage, or null. */
    public String cause() {
        return cause;
    }

    /** How many outages this node saw since it started. */
    public long outages() {
        return outages.get();
    }

    /** Transactions refused at once during outages. */
    public long refusedCalls() {
        return refusedCalls.get();
    }

    /** Throws without trying when the database is known to be down. */
    void check() {
        if (since != null) {
            refusedCalls.incrementAndGet();
            throw new DatabaseUnavailableException("The database is unreachable (since " + since + ": " + cause + ")", null);
        }
    }

    /**
     * Notes a failure: when it says the database is gone, begins an outage (if none is on) and answers the
     * exception to throw instead; otherwise answers null (the failure is the caller's own).
     */
    DatabaseUnavailableException failed(Throwable failure) {
        if (failure instanceof DatabaseUnavailableException known) {
            return known;
        }
        if (!unreachable(failure)) {
            return null;
        }
        begin(describe(failure));
        return new DatabaseUnavailableException("The database is unreachable: " + describe(failure), failure);
    }

    /** Begins an outage (when none is on) and the probe that ends it. */
    void begin(String why) {
        synchronized (this) {
            if (since != null) {
                return;
            }
            since = Instant.now();
            cause = why;
            outages.incrementAndGet();
        }
        LOG.warning("The database is unreachable (" + why + "): requests are served from this node's caches, allowances"
                + " and journal until it is back");
        listener.accept(new Change(since, null, why));
        startProbe();
    }

    private void startProbe() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        io.tokenrouter.config.DaemonThreads.named("database-probe").newThread(() -> {
            try {
                while (since != null) {
                    try {
                        Thread.sleep(PROBE_EVERY.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (probe.getAsBoolean()) {
                        end();
                    }
                }
            } finally {
                probing.set(false);
            }
        }).start();
    }

    private void end() {
        Change change;
        synchronized (this) {
            if (since == null) {
                return;
            }
            change = new Change(since, Instant.now(), cause);
            since = null;
            cause = null;
        }
        LOG.warning("The database is reachable again after " + change.length().toMillis() + " ms");
        listener.accept(change);
    }

    /**
     * Whether {@code failure} says the database cannot be reached (rather than that a statement was wrong): an
     * SQL state of class 08 (connection exception) or 57P (the server shut down, crashed or is starting), a
     * connection that could not be had within the pool's wait because connections fail, or a network error.
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof EOFException || t instanceof SocketTimeoutException
                    || t instanceof SocketException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                    return true;
                }
                if (sql instanceof SQLTransientConnectionException && (sql.getCause() != null
                        || String.valueOf(sql.getMessage()).contains("(total=0,"))) {
                    // the pool's wait ran out while connections failed, or with not one connection left to wait
                    // for (HikariCP's message): not merely every connection in use
                    return true;
                }
            }
        }
        return false;
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
