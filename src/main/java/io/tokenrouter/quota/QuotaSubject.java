package io.tokenrouter.quota;

import java.util.List;
import java.util.Map;

/**
 * Whose limits a request counts against: the key and each ancestor (first the key itself), with their
 * names for messages, and the team.
 */
public record QuotaSubject(List<Long> keyChain, Map<Long, String> keyNames, Long teamId, String teamName) {
}
