package io.tokenrouter.lifecycle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.usage.UsageRecord;

/**
 * A forwarded request that has ended, as its listeners see it: the {@link UsageRecord} (outcome, who, where,
 * tokens, timing, client, error), built once, and what only some listeners need.
 *
 * @param cost           what the answer cost in US dollars ("0.001234"), or null when its model has no price
 * @param requestBody    the request as forwarded (its {@code model} the last target's)
 * @param capturedAnswer the answer's text when conversations are captured for its key, else null
 * @param responseId     the answer's id (chat, completion or response), when it was read
 * @param conversationId the Responses API conversation the answer belongs to, if it names one
 * @param clientConversationId what the client named the conversation ({@code X-Conversation-ID}), or null
 * @param reservation    what the request reserved of its limits, to be settled
 * @param reachedProvider whether a provider answered (then the request counts against request limits)
 */
public record FinishedRequest(UsageRecord record, String cost, Endpoint endpoint, ObjectNode requestBody,
                              String capturedAnswer, String responseId, String conversationId,
                              String clientConversationId, Reservation reservation, boolean reachedProvider) {

    /** Whether the request was answered without an error status. */
    public boolean answered() {
        return record.status() < 400;
    }
}
