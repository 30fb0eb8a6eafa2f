package io.tokenrouter.access;

import io.tokenrouter.quota.QuotaSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A key to create: name, role, team or parent, lifetime (ttl or expiry), allowed models and its own quotas. */
public record KeyDraft(String name, String role, Long teamId, Long parentId, Duration ttl, Instant expiresAt,
                       List<String> allowedModels, List<QuotaSpec> quotas) {

    public KeyDraft(String name, String role, Long teamId, Long parentId, Duration ttl, Instant expiresAt,
                    List<String> allowedModels) {
        this(name, role, teamId, parentId, ttl, expiresAt, allowedModels, null);
    }
}
