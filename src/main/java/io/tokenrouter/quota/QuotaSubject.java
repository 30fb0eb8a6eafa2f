package io.tokenrouter.quota;

import io.tokenrouter.store.Metric;
import io.tokenrouter.store.Period;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whose limits a request counts against: the key and each ancestor (first the key itself), with their
 * names for messages, the team, the quota rows known to apply (as cached with the key; a row added since
 * is found by the slow path the first time the fast path's count disagrees), and the names the request's
 * model goes by (as asked, its alias, its provider/model id), which decide whether a limit for one model
 * applies; and the outage credits of those rows that have one.
 */
public record QuotaSubject(List<Long> keyChain, Map<Long, String> keyNames, Long teamId, String teamName,
                           List<Long> quotaIds, Set<String> modelNames, List<OutageCredit> outageCredits) {

    /** What a quota row may be overspent on one node while the database is unreachable, in its unit. */
    public record OutageCredit(long quotaId, Metric metric, Period period, long amount) {
    }

    public QuotaSubject(List<Long> keyChain, Map<Long, String> keyNames, Long teamId, String teamName,
                        List<Long> quotaIds, Set<String> modelNames) {
        this(keyChain, keyNames, teamId, teamName, quotaIds, modelNames, List.of());
    }

    public QuotaSubject(List<Long> keyChain, Map<Long, String> keyNames, Long teamId, String teamName,
                        List<Long> quotaIds) {
        this(keyChain, keyNames, teamId, teamName, quotaIds, Set.of());
    }

    /** Whether a limit for {@code model} ("" for every model) applies to this request. */
    boolean applies(long quotaId, String model) {
        return model == null || model.isEmpty() || modelNames.contains(model);
    }
}
