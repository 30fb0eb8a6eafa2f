package io.tokenrouter.access;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a client asks for when creating a key. {@code ttl} and {@code expiresAt} are alternatives;
 * a key created with a TTL beneath a parent is temporary (cleaned up after it expires).
 */
public record KeyDraft(String name, String role, Long teamId, Long parentId, Duration ttl, Instant expiresAt,
                       List<String> allowedModels) {
}
