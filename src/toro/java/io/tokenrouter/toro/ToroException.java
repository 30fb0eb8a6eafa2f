package io.tokenrouter.toro;

/** A failure toro reports in one line on stderr and turns into its exit code. */
final class ToroException extends RuntimeException {

    /** The server cannot be reached (connection refused, unknown host, timeout, TLS failure). */
    static final int UNREACHABLE = 69;
    /** The server answered something toro did not expect. */
    static final int SERVER = 76;
    /** The parent key was refused: unknown, revoked, expired, or without the role toro needs. */
    static final int KEY_REFUSED = 77;
    /** A quota or rate limit refused the request. */
    static final int QUOTA = 75;
    /** No server or key configured yet. */
    static final int NOT_CONNECTED = 78;
    /** The child command does not exist (the shell's code). */
    static final int COMMAND_NOT_FOUND = 127;
    /** The child command exists but cannot be run (the shell's code). */
    static final int COMMAND_NOT_EXECUTABLE = 126;

    private final int exitCode;
    /** The server's error code, when it gave one. */
    private String code;

    ToroException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    ToroException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    ToroException withCode(String code) {
        this.code = code;
        return this;
    }

    String code() {
        return code;
    }
}
