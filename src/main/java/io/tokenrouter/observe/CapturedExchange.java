package io.tokenrouter.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One request and its reassembled answer, handed over for conversation capture. {@code conversationId}
 * is what the client named the conversation ({@code X-Conversation-ID}), or null.
 */
public record CapturedExchange(String requestId, Instant time, Long keyId, String keyName, String model,
                               String endpoint, ObjectNode request, String answer, String responseId,
                               String conversationId) {
}
