package io.tokenrouter.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The authenticated key behind a request, as resolved (and cached for a few seconds) by
 * {@link KeyLookup}: its id and name, role, team, the models it may use after narrowing by every
 * ancestor and the team ({@code null}: no restriction), its effective expiry (the earliest along its chain),
 * its chain of key ids (itself first, then each ancestor) with their names, and the ids of the quota
 * rows of the chain and team (empty: no limit applies).
 */
public record Caller(long keyId, String keyName, Role role, Long teamId, String teamName,
                     Set<String> allowedModels, Instant expiresAt, List<Long> chain,
                     Map<Long, String> chainNames, List<Long> quotaIds, boolean captureConversations) {

    /** The request property (and servlet request attribute) the caller is stored under. */
    public static final String PROPERTY = "io.tokenrouter.caller";

    /** Whether any of the names of one model (as asked, its provider/model id, …) is within this key's allow-list. */
    public boolean mayUse(String... names) {
        if (allowedModels == null) {
            return true;
        }
        for (String name : names) {
            if (name != null && allowedModels.contains(name)) {
                return true;
            }
        }
        return false;
    }
}
