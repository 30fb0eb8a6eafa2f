package io.tokenrouter.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An upstream the gateway forwards to. The provider's API key is stored sealed ({@link SecretCipher});
 * {@code source} says whether the row is owned by {@code tokenrouter.toml} (re-seeded at start), was
 * edited at run time, or was added by the gateway itself ({@code auto}, {@code detected}).
 */
@Entity
@Table(name = "providers")
public class Provider {

    public static final String SOURCE_CONFIG = "config";
    public static final String SOURCE_RUNTIME = "runtime";
    /** Added by the gateway for a public free-model preset ({@code auto_enable_public_free_models}). */
    public static final String SOURCE_AUTO = "auto";
    /** Added by the gateway for a local server a node found on its host; {@code updated_at} is when one last saw it. */
    public static final String SOURCE_DETECTED = "detected";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String name;
    private String preset;
    @Column(name = "base_url")
    private String baseUrl;
    @Column(name = "api_key_sealed")
    private String apiKeySealed;
    @Column(name = "api_key_pool_sealed")
    private String apiKeyPoolSealed;
    @Column(name = "api_key_count")
    private Integer apiKeyCount;
    @Column(name = "auth_style")
    private String authStyle;
    private boolean enabled;
    private int position;
    @Column(name = "connect_timeout_ms")
    private Long connectTimeoutMs;
    @Column(name = "read_timeout_ms")
    private Long readTimeoutMs;
    /** Whether models the provider does not list are forwarded as asked; null: its preset's default. */
    @Column(name = "forward_unlisted_models")
    private Boolean forwardUnlistedModels;
    private String source;
    @Column(name = "models_refreshed_at")
    private Instant modelsRefreshedAt;
    @Column(name = "last_error")
    private String lastError;
    @Column(name = "updated_at")
    private Instant updatedAt;

    public Long getId() { return id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getPreset() { return preset; }
    public void setPreset(String preset) { this.preset = preset; }
    public String getBaseUrl() { return baseUrl; }
    public void setBaseUrl(String baseUrl) { this.baseUrl = baseUrl; }
    public String getApiKeySealed() { return apiKeySealed; }
    public void setApiKeySealed(String apiKeySealed) { this.apiKeySealed = apiKeySealed; }
    public String getApiKeyPoolSealed() { return apiKeyPoolSealed; }
    public void setApiKeyPoolSealed(String apiKeyPoolSealed) { this.apiKeyPoolSealed = apiKeyPoolSealed; }
    /** How many keys the provider has: its pool's size, else 1 with a key and 0 without. */
    public int getApiKeyCount() { return apiKeyCount != null ? apiKeyCount : apiKeySealed == null ? 0 : 1; }
    public void setApiKeyCount(Integer apiKeyCount) { this.apiKeyCount = apiKeyCount; }
    public String getAuthStyle() { return authStyle; }
    public void setAuthStyle(String authStyle) { this.authStyle = authStyle; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public int getPosition() { return position; }
    public void setPosition(int position) { this.position = position; }
    public Long getConnectTimeoutMs() { return connectTimeoutMs; }
    public void setConnectTimeoutMs(Long connectTimeoutMs) { this.connectTimeoutMs = connectTimeoutMs; }
    public Long getReadTimeoutMs() { return readTimeoutMs; }
    public void setReadTimeoutMs(Long readTimeoutMs) { this.readTimeoutMs = readTimeoutMs; }
    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }
    public Instant getModelsRefreshedAt() { return modelsRefreshedAt; }
    public void setModelsRefreshedAt(Instant modelsRefreshedAt) { this.modelsRefreshedAt = modelsRefreshedAt; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) { this.lastError = lastError; }
    public Instant getUpdatedAt() { return updatedAt; }
    public void setUpdatedAt(Instant updatedAt) { this.updatedAt = updatedAt; }

    public Boolean getForwardUnlistedModels() {
        return forwardUnlistedModels;
    }

    public void setForwardUnlistedModels(Boolean forwardUnlistedModels) {
        this.forwardUnlistedModels = forwardUnlistedModels;
    }
}
