package io.tokenrouter.access;

import io.tokenrouter.store.Metric;
import io.tokenrouter.store.Period;
import io.tokenrouter.store.Role;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The authenticated key behind a request, as resolved (and cached for a few seconds) by
 * {@link KeyLookup}: its id and name, role, team, the models it may use after narrowing by every
 * ancestor and the team ({@code null}: no restriction), its effective expiry (the earliest along its chain),
 * its chain of key ids (itself first, then each ancestor) with their names, the quota rows of the chain
 * and team (empty: no limit applies), and the costs the gateway cannot meter that an admin allowed the
 * key, an ancestor or the team to incur ({@code unmetered}).
 */
public record Caller(long keyId, String keyName, Role role, Long teamId, String teamName,
                     Set<String> allowedModels, Instant expiresAt, List<Long> chain,
                     Map<Long, String> chainNames, List<Limit> limits, boolean captureConversations,
                     Set<String> unmetered) {

    /**
     * One quota row that may apply: its id, metric, the model (or alias) it is limited to ("" for every model), its
     * period and its outage credit (what this node may overspend it while the database is unreachable).
     */
    public record Limit(long id, Metric metric, String model, Period period, long outageCredit) {

        public Limit(long id, Metric metric, String model) {
            this(id, metric, model, Period.TOTAL, 0);
        }

        /** Whether it applies to a request whose model goes by {@code modelNames}. */
        public boolean appliesTo(Set<String> modelNames) {
            return model.isEmpty() || modelNames.contains(model);
        }
    }

    /** The ids of the limits that apply to a request for a model going by {@code modelNames}. */
    public List<Long> quotaIds(Set<String> modelNames) {
        if (limits.isEmpty()) {
            return List.of();
        }
        return limits.stream().filter(l -> l.appliesTo(modelNames)).map(Limit::id).toList();
    }

    /** Whether a limit of {@code metric} applies to a request for a model going by {@code modelNames}. */
    public boolean limits(Metric metric, Set<String> modelNames) {
        for (Limit l : limits) {
            if (l.metric() == metric && l.appliesTo(modelNames)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an admin allowed this key (an ancestor, the team) the unmetered cost {@code what}; admins may all. */
    public boolean mayIncur(String what) {
        return role == Role.ADMIN || unmetered.contains(what);
    }

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
