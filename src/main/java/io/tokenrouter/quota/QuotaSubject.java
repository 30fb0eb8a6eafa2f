package io.tokenrouter.quota;

import java.util.List;
import java.util.Map;

/**
 * Whose limits a request counts against: the key and each ancestor (first the key itself), with their
 * names for messages, the team, and the quota rows known to apply (as cached with the key; a row added
 * since is found by the slow path the first time the fast path's count disagrees).
 */
public record QuotaSubject(List<Long> keyChain, Map<Long, String> keyNames, Long teamId, String teamName,
                           List<Long> quotaIds) {
}
