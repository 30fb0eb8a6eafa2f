package io.tokenrouter.provider;

/** The outcome of a provider connection test: reachable and accepted, with how long it took. */
public record ConnectionTestResult(boolean ok, int status, long latencyMillis, int modelCount, String message)
        implements java.io.Serializable {
}
