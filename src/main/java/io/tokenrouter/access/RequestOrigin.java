package io.tokenrouter.access;

/**
 * The client address of the console or management request the current thread serves, for the audit trail:
 * set around each such request by the web layer, absent on the gateway's own threads (scheduled jobs).
 */
public final class RequestOrigin {

    private static final ThreadLocal<String> ADDRESS = new ThreadLocal<>();

    private RequestOrigin() {
    }

    /** Runs the rest of a request from {@code address}; {@link #clear} ends it. */
    public static void set(String address) {
        ADDRESS.set(address);
    }

    public static void clear() {
        ADDRESS.remove();
    }

    /** The current request's client address, or null off a request's thread. */
    public static String address() {
        return ADDRESS.get();
    }
}
