package io.tokenrouter.access;

import io.tokenrouter.quota.QuotaSpec;
import java.time.Instant;
import java.util.List;

/** A change to a key: null fields stay as they are. */
public record KeyPatch(String name, List<String> allowedModels, Instant expiresAt, List<QuotaSpec> quotas,
                       Boolean captureConversations, String role) {

    public KeyPatch(String name, List<String> allowedModels, Instant expiresAt, List<QuotaSpec> quotas,
                    Boolean captureConversations) {
        this(name, allowedModels, expiresAt, quotas, captureConversations, null);
    }
}
