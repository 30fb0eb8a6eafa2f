package io.tokenrouter.store;

import java.time.Instant;
import java.util.List;

/** Filters of a request log search; null fields do not filter. */
public record LogFilter(Instant from, Instant to, Long keyId, List<Long> keyIds, Long teamId, String provider,
                        String model, String status, String clientIp, String text) {

    /** The SQL {@code where} clause for these filters, appending their values to {@code params}. */
    /** The gateway's request ids: {@code req_} and hex digits. */
    public static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("req_[0-9a-f]{8,40}");

    String where(List<Object> params) {
        StringBuilder sql = new StringBuilder(" where 1 = 1");
        if (from != null) {
            sql.append(" and created_at >= ?");
            params.add(from);
        }
        if (to != null) {
            sql.append(" and created_at < ?");
            params.add(to);
        }
        if (keyId != null) {
            sql.append(" and key_id = ?");
            params.add(keyId);
        }
        if (keyIds != null) {
            sql.append(keyIds.isEmpty() ? " and 1 = 0" : " and key_id in (" + "?,".repeat(keyIds.size() - 1) + "?)");
            params.addAll(keyIds);
        }
        if (teamId != null) {
            sql.append(" and team_id = ?");
            params.add(teamId);
        }
        if (provider != null) {
            sql.append(" and provider = ?");
            params.add(provider);
        }
        if (model != null) {
            sql.append(" and (model = ? or upstream_model = ?)");
            params.add(model);
            params.add(model);
        }
        if ("error".equals(status)) {
            sql.append(" and (status >= 400 or error_type is not null)");
        } else if ("refused".equals(status)) {
            sql.append(" and outcome = 'refused'");
        } else if ("failed".equals(status)) {
            sql.append(" and (status >= 400 or error_type is not null) and (outcome is null or outcome <> 'refused')");
        } else if ("ok".equals(status)) {
            sql.append(" and status < 400 and error_type is null");
        }
        if (clientIp != null) {
            sql.append(" and client_ip = ?");
            params.add(clientIp);
        }
        if (text != null && REQUEST_ID.matcher(text.trim()).matches()) {
            // a request id (as x-request-id shows it): found through its index, however long the log
            sql.append(" and request_id = ?");
            params.add(text.trim());
        } else if (text != null && !text.isBlank()) {
            sql.append(" and (lower(error_message) like ? or lower(key_name) like ? or request_id = ?)");
            String like = "%" + text.toLowerCase(java.util.Locale.ROOT).replace("%", "\\%").replace("_", "\\_") + "%";
            params.add(like);
            params.add(like);
            params.add(text);
        }
        return sql.toString();
    }
}
