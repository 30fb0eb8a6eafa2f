package io.tokenrouter.access;

import io.tokenrouter.quota.QuotaView;
import java.time.Instant;
import java.util.List;

/**
 * The calling key as it sees itself ({@code GET /api/me}): the key with its own quotas, its role and team, what
 * it may use once its ancestors' limits are applied, and every limit its requests count against.
 *
 * @param effectiveExpiresAt     the earliest expiry of the key and its ancestors, or null
 * @param effectiveAllowedModels the models the key and its ancestors all allow, sorted; null for any model
 */
public record MeView(KeyView key, String role, Team team, Instant effectiveExpiresAt,
                     List<String> effectiveAllowedModels, List<Limit> limits) {

    public record Team(long id, String name) {
    }

    /**
     * One limit a request of the key counts against, with where it stands.
     *
     * @param owner {@code key} (its own), {@code parent_key} (an ancestor's) or {@code team}
     * @param name  the owning key's or team's name
     */
    public record Limit(String owner, String name, QuotaView quota) {
    }
}
