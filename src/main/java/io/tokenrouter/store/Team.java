package io.tokenrouter.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A group of people or services that owns keys and shares quotas and an allow-list of models. */
@Entity
@Table(name = "teams")
public class Team {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String name;
    private String description;
    @Column(name = "allowed_models")
    private String allowedModels;
    private boolean disabled;
    /** Costs the gateway cannot meter that an admin allowed the team's keys: {@code a,b}. */
    @Column(name = "unmetered_allowed")
    private String unmeteredAllowed;
    @Column(name = "created_at")
    private Instant createdAt;

    public Long getId() { return id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getAllowedModels() { return allowedModels; }
    public void setAllowedModels(String allowedModels) { this.allowedModels = allowedModels; }
    public String getUnmeteredAllowed() { return unmeteredAllowed; }
    public void setUnmeteredAllowed(String unmeteredAllowed) { this.unmeteredAllowed = unmeteredAllowed; }
    public boolean isDisabled() { return disabled; }
    public void setDisabled(boolean disabled) { this.disabled = disabled; }
    public Instant getCreatedAt() { return createdAt; }
    public void setCreatedAt(Instant createdAt) { this.createdAt = createdAt; }
}
