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

    /** A time to live as a client writes it ("8h", "30d", "90m"); null for none; a 400 on {@code ttl} when unreadable. */
    public static Duration ttl(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return io.tokenrouter.config.Durations.parse("ttl", text);
        } catch (IllegalArgumentException e) {
            throw io.tokenrouter.api.GatewayException.invalidRequest("ttl",
                    "ttl (the key's expiry) must be a duration such as 8h, 30d or 90m, not '"
                            + io.tokenrouter.api.Texts.abbreviate(text.strip(), 40) + "'.");
        }
    }
}
