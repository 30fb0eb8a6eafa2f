package io.tokenrouter.access;

import io.tokenrouter.quota.QuotaView;
import io.tokenrouter.store.ApiKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A key as the API shows it: never the secret, only its display prefix. */
public record KeyView(long id, String name, String prefix, String role, Long teamId, Long parentId,
                      List<String> allowedModels, Instant expiresAt, Instant revokedAt, boolean temporary,
                      String createdBy, Instant createdAt, Instant lastUsedAt, boolean captureConversations,
                      List<QuotaView> quotas, List<String> unmetered) {

    public static KeyView of(ApiKey k) {
        return new KeyView(k.getId(), k.getName(), k.getDisplayPrefix(), k.getRole().wireName(), k.getTeamId(), k.getParentId(),
                list(k.getAllowedModels()), k.getExpiresAt(), k.getRevokedAt(), k.isTemporary(), k.getCreatedBy(),
                k.getCreatedAt(), k.getLastUsedAt(), k.isCaptureConversations(), null,
                List.copyOf(Unmetered.parse(k.getUnmeteredAllowed())));
    }

    public KeyView withQuotas(List<QuotaView> quotas) {
        return new KeyView(id, name, prefix, role, teamId, parentId, allowedModels, expiresAt, revokedAt, temporary,
                createdBy, createdAt, lastUsedAt, captureConversations, quotas, unmetered);
    }

    static List<String> list(String csv) {
        return csv == null || csv.isBlank() ? null
                : Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
