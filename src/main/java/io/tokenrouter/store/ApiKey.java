package io.tokenrouter.store;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A client key. Only the SHA-256 of the secret is stored ({@code keyHash}) with a short display prefix;
 * the secret itself is shown once at creation and never again.
 */
@Entity
@Table(name = "api_keys")
public class ApiKey {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String name;
    @Column(name = "key_hash")
    private String keyHash;
    @Column(name = "display_prefix")
    private String displayPrefix;
    @Convert(converter = Role.Column.class)
    private Role role;
    @Column(name = "team_id")
    private Long teamId;
    @Column(name = "parent_id")
    private Long parentId;
    @Column(name = "allowed_models")
    private String allowedModels;
    @Column(name = "expires_at")
    private Instant expiresAt;
    @Column(name = "revoked_at")
    private Instant revokedAt;
    @Column(name = "created_by")
    private String createdBy;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "last_used_at")
    private Instant lastUsedAt;
    private boolean temporary;
    @Column(name = "capture_conversations")
    private boolean captureConversations;
    /** Costs the gateway cannot meter that an admin allowed this key (and the keys beneath it): {@code a,b}. */
    @Column(name = "unmetered_allowed")
    private String unmeteredAllowed;

    public Long getId() { return id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getKeyHash() { return keyHash; }
    public void setKeyHash(String keyHash) { this.keyHash = keyHash; }
    public String getDisplayPrefix() { return displayPrefix; }
    public void setDisplayPrefix(String displayPrefix) { this.displayPrefix = displayPrefix; }
    public Role getRole() { return role; }
    public void setRole(Role role) { this.role = role; }
    public Long getTeamId() { return teamId; }
    public void setTeamId(Long teamId) { this.teamId = teamId; }
    public Long getParentId() { return parentId; }
    public void setParentId(Long parentId) { this.parentId = parentId; }
    public String getUnmeteredAllowed() { return unmeteredAllowed; }
    public void setUnmeteredAllowed(String unmeteredAllowed) { this.unmeteredAllowed = unmeteredAllowed; }
    public String getAllowedModels() { return allowedModels; }
    public void setAllowedModels(String allowedModels) { this.allowedModels = allowedModels; }
    public Instant getExpiresAt() { return expiresAt; }
    public void setExpiresAt(Instant expiresAt) { this.expiresAt = expiresAt; }
    public Instant getRevokedAt() { return revokedAt; }
    public void setRevokedAt(Instant revokedAt) { this.revokedAt = revokedAt; }
    public String getCreatedBy() { return createdBy; }
    public void setCreatedBy(String createdBy) { this.createdBy = createdBy; }
    public Instant getCreatedAt() { return createdAt; }
    public void setCreatedAt(Instant createdAt) { this.createdAt = createdAt; }
    public Instant getLastUsedAt() { return lastUsedAt; }
    public void setLastUsedAt(Instant lastUsedAt) { this.lastUsedAt = lastUsedAt; }
    public boolean isTemporary() { return temporary; }
    public void setTemporary(boolean temporary) { this.temporary = temporary; }
    public boolean isCaptureConversations() { return captureConversations; }
    public void setCaptureConversations(boolean capture) { this.captureConversations = capture; }
}
