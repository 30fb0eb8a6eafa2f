package io.tokenrouter.access;

import java.time.Instant;
import java.util.Set;

/**
 * The authenticated key behind a request: its id and name (for logs and usage), role, team and the
 * models it may use (empty: no restriction of its own).
 */
public record Caller(long keyId, String keyName, Role role, Long teamId, Set<String> allowedModels,
                     Instant expiresAt) {

    /** The request property (and servlet request attribute) the caller is stored under. */
    public static final String PROPERTY = "io.tokenrouter.caller";
}
