package io.tokenrouter.management;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.KeyView;
import io.tokenrouter.store.ConversationRepository;
import java.time.Instant;
import java.util.List;

/** The answers of {@code /api} that are not a service's own view: each is the API's shape, written once. */
final class Answers {

    private Answers() {
    }

    /** A key just made (by an admin, a keymaster, or the first-run setup): its secret, shown this once. */
    record NewKey(String key, String warning, KeyView details) {
        static NewKey of(CreatedKey created) {
            return new NewKey(created.secret(), "Store this key now: it cannot be shown again.", created.key());
        }
    }

    /** How many rows a deletion removed. */
    record Deleted(int deleted) {
    }

    /** One captured conversation thread, its turns in order. */
    record Thread(String threadId, List<ConversationRepository.Turn> turns) {
    }

    /** The models a provider listed when it was asked again. */
    record Refreshed(String provider, List<String> models) {
    }

    /** Whether the first-run setup is still to be done (no admin key yet). */
    record SetupState(boolean setupPending) {
    }

    /** A session just opened: its token, shown this once, and who it acts as until when. */
    record Session(String token, String name, String role, long keyId, Instant expiresAt) {
    }

    /** {@code GET /api/health}: whether this node reaches the database; {@code reason} only when it does not. */
    record Health(String status, String node, Instant lastHeartbeat,
                  @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {
    }
}
