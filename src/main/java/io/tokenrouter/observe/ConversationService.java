package io.tokenrouter.observe;

import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** Captured conversations, for admins: threads, their turns, and deleting them (audited in its transaction). */
@ApplicationScoped
public class ConversationService {

    @Inject
    ConversationRepository conversations;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;

    public Page<ConversationRepository.ThreadSummary> conversations(Caller actor, String text, Long keyId, int offset,
                                                                    int limit) {
        Authorization.requireAdmin(actor);
        return conversations.threads(text, keyId, offset, limit);
    }

    public List<ConversationRepository.Turn> conversation(Caller actor, String thread) {
        Authorization.requireAdmin(actor);
        var turns = conversations.thread(thread);
        if (turns.isEmpty()) {
            throw GatewayException.notFound("No conversation thread '" + thread + "'.");
        }
        return turns;
    }

    public int deleteConversation(Caller actor, String thread) {
        Authorization.requireAdmin(actor);
        return database.inTransaction(em -> {
            int deleted = conversations.deleteThread(thread);
            if (deleted == 0) {
                throw GatewayException.notFound("No conversation thread '" + thread + "'.");
            }
            audit.record(actor, "Deleted conversation thread " + thread);
            return deleted;
        });
    }

    public int deleteAllConversations(Caller actor) {
        Authorization.requireAdmin(actor);
        return database.inTransaction(em -> {
            int deleted = conversations.deleteAll();
            audit.record(actor, "Deleted all " + deleted + " captured conversation turns");
            return deleted;
        });
    }
}
