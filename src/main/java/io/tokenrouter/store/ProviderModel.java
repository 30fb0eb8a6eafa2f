package io.tokenrouter.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A model a provider listed at its last refresh; the source of the aggregated {@code /v1/models}. */
@Entity
@Table(name = "provider_models")
@IdClass(ProviderModel.Key.class)
public class ProviderModel {

    @Id
    @Column(name = "provider_id")
    private Long providerId;
    @Id
    @Column(name = "model_id")
    private String modelId;
    @Column(name = "owned_by")
    private String ownedBy;
    @Column(name = "discovered_at")
    private Instant discoveredAt;

    public ProviderModel() {
    }

    public ProviderModel(Long providerId, String modelId, String ownedBy, Instant discoveredAt) {
        this.providerId = providerId;
        this.modelId = modelId;
        this.ownedBy = ownedBy;
        this.discoveredAt = discoveredAt;
    }

    public Long getProviderId() { return providerId; }
    public String getModelId() { return modelId; }
    public String getOwnedBy() { return ownedBy; }
    public Instant getDiscoveredAt() { return discoveredAt; }

    /** Composite identity: provider and model id. */
    public static class Key implements Serializable {
        private Long providerId;
        private String modelId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(providerId, k.providerId) && Objects.equals(modelId, k.modelId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(providerId, modelId);
        }
    }
}
