package io.tokenrouter.store;

/**
 * The database cannot be reached now: a connection failed, or this node already knows the database is down and
 * did not try ({@link DatabaseOutage}). Thrown instead of waiting, so that no caller waits on a database that is
 * gone longer than the configured {@code database_wait}.
 */
public class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
