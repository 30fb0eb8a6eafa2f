package io.tokenrouter.management;

import io.tokenrouter.quota.QuotaSpec;
import io.tokenrouter.routing.AliasTarget;
import java.time.Instant;
import java.util.List;

/** Request bodies of the management API (snake_case on the wire). */
final class Requests {

    private Requests() {
    }

    record KeyRequest(String name, String role, Long teamId, Long parentId, String ttl, Instant expiresAt,
                      List<String> allowedModels, List<QuotaSpec> quotas) {
    }

    record QuotasRequest(List<QuotaSpec> quotas) {
    }

    record AliasRequest(List<AliasTarget> targets) {
    }

    record ProfileRequest(String profile) {
    }

    record SetupRequest(String setupToken, String name) {
    }

    record SessionRequest(String key, String password) {
    }
}
