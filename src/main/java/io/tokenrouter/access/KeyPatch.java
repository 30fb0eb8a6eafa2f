package io.tokenrouter.access;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tokenrouter.quota.QuotaSpec;
import java.time.Instant;
import java.util.List;

/**
 * A change to a key: null fields stay as they are. {@code unmetered}: the costs the gateway cannot meter
 * that the key (and those beneath it) may incur ({@link Unmetered}; admins only; empty clears).
 */
public record KeyPatch(String name, List<String> allowedModels, Instant expiresAt, List<QuotaSpec> quotas,
                       Boolean captureConversations, String role,
                       @Schema(description = "costs the gateway cannot meter that the key may incur (admins only):"
                               + " background, service_tier:priority, service_tier:scale, tool:web_search, tool:file_search,"
                               + " tool:code_interpreter, tool:image_generation, tool:computer_use, files, prompt_template;"
                               + " empty clears") List<String> unmetered) {

    public KeyPatch(String name, List<String> allowedModels, Instant expiresAt, List<QuotaSpec> quotas,
                    Boolean captureConversations, String role) {
        this(name, allowedModels, expiresAt, quotas, captureConversations, role, null);
    }

    public KeyPatch(String name, List<String> allowedModels, Instant expiresAt, List<QuotaSpec> quotas,
                    Boolean captureConversations) {
        this(name, allowedModels, expiresAt, quotas, captureConversations, null);
    }
}
