package io.tokenrouter.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one connection a node's request-log writer keeps between its writes, and the transactions it runs on it. */
final class WriterConnection {

    private static final Logger LOG = Logger.getLogger(WriterConnection.class.getName());

    private final Supplier<Database> database;

    WriterConnection(Supplier<Database> database) {
        this.database = database;
    }

    /** A unit of work on a JDBC connection. */
    interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** The log writer's connection, kept between its transactions; guarded by {@link #lock}. */
    private Connection kept;
    private long usedNanos;
    private final Object lock = new Object();

    /**
     * Runs {@code work} on the connection kept for the log writer between its writes (one
     * writer per node, so one connection; callers take turns), in a transaction of its own when {@code
     * transaction}, else in auto-commit (a single statement commits by itself, in the same round trip): a
     * batch costs its statements, without a pool borrow, an entity manager or a session set-up.
     *
     * <p>On PostgreSQL, with {@code usage_synchronous_commit} off, the connection's session commits without
     * waiting for its WAL to reach the disk ({@code synchronous_commit = off}, set once when the connection is
     * taken and reset before it goes back): the rows are committed and visible to every node, but a crash of
     * the PostgreSQL server itself within about three {@code wal_writer_delay} (0.6 s by default) loses the
     * last of them after the node's journal let them go. By default the session sets {@code synchronous_commit
     * = on}, whatever the server's default; answers never wait for these commits either way. A failure closes the connection; the next
     * transaction takes a fresh one.
     */
    <T> T run(boolean transaction, SqlWork<T> work) {
        synchronized (lock) {
            Connection connection = null;
            try {
                connection = open();
                T result;
                if (transaction) {
                    connection.setAutoCommit(false);
                    result = work.apply(connection);
                    connection.commit();
                    connection.setAutoCommit(true);
                } else {
                    result = work.apply(connection);
                }
                usedNanos = System.nanoTime();
                return result;
            } catch (SQLException | RuntimeException e) {
                if (connection != null && transaction) {
                    try {
                        connection.rollback();
                    } catch (SQLException | RuntimeException ignored) {
                        // the connection is closed below either way
                    }
                }
                release();
                throw e instanceof RuntimeException r ? r : new IllegalStateException("Request log write failed: " + e.getMessage(), e);
            }
        }
    }

    /** A server setting as this connection sees it (PostgreSQL's {@code SHOW}). */
    String sessionSetting(String name) {
        return run(false, connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("show " + name)) {
                result.next();
                return result.getString(1);
            }
        });
    }

    private Connection open() throws SQLException {
        if (kept == null) {
            Connection fresh = database.get().connection();
            try {
                fresh.setAutoCommit(true);
                if (database.get().postgres()) {
                    // said explicitly: a server whose default is off would otherwise let a crash of it lose rows
                    // the journal has already let go
                    try (Statement statement = fresh.createStatement()) {
                        statement.execute("set synchronous_commit = " + (asynchronousCommit() ? "off" : "on"));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                fresh.close();
                throw e;
            }
            kept = fresh;
        }
        return kept;
    }

    private boolean asynchronousCommit() {
        return database.get().postgres() && !database.get().settings().usageSynchronousCommit();
    }

    /**
     * Gives the log writer's connection back to the pool when it has not been used for {@code idle} (so a
     * quiet node holds none, and a connection the network or the server dropped meanwhile is not the one
     * the next batch finds); with {@link Duration#ZERO}, at once (the writer stops).
     */
    void release(Duration idle) {
        synchronized (lock) {
            if (kept != null && System.nanoTime() - usedNanos >= idle.toNanos()) {
                release();
            }
        }
    }

    private void release() {
        Connection closing = kept;
        kept = null;
        if (closing == null) {
            return;
        }
        try {
            if (database.get().postgres() && !closing.isClosed()) {
                try (Statement statement = closing.createStatement()) {
                    statement.execute("reset synchronous_commit");
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "The request log's connection could not be reset", e);
        } finally {
            try {
                closing.close();
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.FINE, "The request log's connection did not close cleanly", e);
            }
        }
    }
}
