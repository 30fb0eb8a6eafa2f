package io.tokenrouter.observe;

import io.tokenrouter.events.Redaction;
import io.tokenrouter.events.EventLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.lifecycle.FinishedRequest;
import io.tokenrouter.lifecycle.RequestListener;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.ConversationRepository.Turn;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stores captured conversations off the request path, secrets redacted and size-capped, and puts each
 * request into a thread: the one the client named ({@code X-Conversation-ID}, {@code conversation_id},
 * {@code conversation}), the one of its {@code previous_response_id}, or the one whose messages plus
 * answer this request's messages extend (same key); else a new thread.
 */
@ApplicationScoped
public class ConversationRecorder implements RequestListener {

    private static final Logger LOG = Logger.getLogger(ConversationRecorder.class.getName());

    @Inject
    ConversationRepository conversations;
    @Inject
    GatewaySettings settings;
    @Inject
    Scheduler scheduler;
    @Inject
    EventLog events;

    /** Column sizes of {@code conversations}: thread_id, response_id, model. */
    static final int THREAD_CHARS = 64;
    static final int RESPONSE_ID_CHARS = 200;
    static final int MODEL_CHARS = 300;
    /** How far past the capture limit a text is redacted before it is cut (the longest secret redacted whole). */
    static final int REDACTION_MARGIN = 16 * 1024;

    /** How much of an answer's text a request keeps for capture: the limit, the redaction margin and one more. */
    public static int answerCaptureLimit(int conversationMaxBytes) {
        return conversationMaxBytes + REDACTION_MARGIN + 1;
    }

    /** Captures waiting to be stored, in the order their requests finished; at most {@value #MAX_PENDING}. */
    static final int MAX_PENDING = 10_000;
    private final java.util.concurrent.ConcurrentLinkedQueue<CapturedExchange> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger pendingCount = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    /** Captures dropped since the last drain, reported as one event. */
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

    /** Captures an answered request whose answer text was kept (capture is on for its key or everywhere). */
    @Override
    public void finished(FinishedRequest request) {
        var r = request.record();
        if (request.capturedAnswer() != null && request.answered()) {
            capture(new CapturedExchange(r.requestId(), r.time(), r.keyId(), r.keyName(), r.requestedModel(),
                    r.endpoint(), request.requestBody(), request.capturedAnswer(), request.responseId(),
                    request.clientConversationId()));
        }
    }

    /**
     * Stores the exchange off the request path. Captures are stored one at a time in the order their
     * requests finished, since a request continues the thread of one stored before it: two background
     * workers storing them side by side would split a conversation whose turns came quickly.
     */
    public void capture(CapturedExchange exchange) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            dropped.incrementAndGet();
            LOG.warning("Conversation capture is " + MAX_PENDING + " behind: dropped request " + exchange.requestId());
            drainSoon();
            return;
        }
        pending.add(exchange);
        drainSoon();
    }

    private void drainSoon() {
        if (draining.compareAndSet(false, true) && !scheduler.later("conversation capture", this::drain)) {
            draining.set(false); // the shared queue is full; the next capture tries again
        }
    }

    private void drain() {
        try {
            for (CapturedExchange exchange; (exchange = pending.poll()) != null; ) {
                pendingCount.decrementAndGet();
                try {
                    store(exchange);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Could not store the conversation of request " + exchange.requestId(), e);
                }
            }
        } finally {
            draining.set(false);
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0 && events != null) {
            events.error("capture", null, "Conversation capture fell " + MAX_PENDING + " requests behind the traffic: "
                    + lost + " captured request" + (lost == 1 ? " was" : "s were") + " dropped.");
        }
        if (!pending.isEmpty()) {
            drainSoon();
        }
    }

    /**
     * Stores one exchange, or, when that fails, a turn that says capture failed and why (and an event): a
     * key whose conversations are captured for audit never loses one silently.
     */
    void store(CapturedExchange e) {
        try {
            conversations.store(turn(e));
        } catch (RuntimeException | StackOverflowError failure) {
            LOG.log(Level.WARNING, "Could not store the conversation of request " + e.requestId(), failure);
            storeFailure(e, failure);
        }
    }

    private Turn turn(CapturedExchange e) {
        List<String[]> turns = turns(e.request());
        String thread = thread(e, turns);
        List<String[]> continued = new ArrayList<>(turns);
        continued.add(new String[] {"assistant", e.answer() == null ? "" : e.answer().strip()});
        int max = settings.conversationMaxBytes();
        String requestText = Json.text(e.request());
        boolean truncated = requestText.length() > max || (e.answer() != null && e.answer().length() > max);
        String request = redacted(requestText, max);
        String answer = redacted(e.answer(), max);
        return new Turn(0, thread, e.requestId(), storedResponseId(e.responseId()), e.time(), e.keyId(), e.keyName(),
                cut(e.model(), MODEL_CHARS), e.endpoint(), cut(request, max), cut(answer, max), hash(continued), truncated);
    }

    private void storeFailure(CapturedExchange e, Throwable failure) {
        String reason = failure instanceof StackOverflowError ? "the request is nested too deeply to read"
                : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + cut(failure.getMessage(), 300));
        try {
            conversations.store(new Turn(0, UUID.randomUUID().toString(), e.requestId(), null, e.time(), e.keyId(),
                    e.keyName(), cut(e.model(), MODEL_CHARS), e.endpoint(), "(capture failed: " + reason + ")", null, null,
                    true));
        } catch (RuntimeException again) {
            LOG.log(Level.WARNING, "Could not store the capture failure of request " + e.requestId(), again);
        }
        if (events != null) {
            events.error("capture", e.keyName(), "Could not capture the conversation of request " + e.requestId()
                    + ": " + reason);
        }
    }

    /**
     * Redacts at most the capture limit and a margin: a secret that starts before the limit is redacted whole
     * (then cut with the rest), and nothing past the margin is ever scanned, however large the text.
     */
    static String redacted(String text, int max) {
        return text == null ? null : Redaction.redact(cut(text, max + REDACTION_MARGIN));
    }

    private String thread(CapturedExchange e, List<String[]> turns) {
        String named = e.conversationId() != null ? e.conversationId() : namedInBody(e.request());
        if (named != null) {
            return namedThread(e.keyId(), named);
        }
        String previous = Json.textOrNull(e.request(), "previous_response_id");
        Optional<String> found = previous == null ? Optional.empty()
                : conversations.threadByResponseId(e.keyId(), storedResponseId(previous));
        if (found.isEmpty() && turns.size() >= 2) {
            found = conversations.threadByContinuation(e.keyId(), hash(turns.subList(0, turns.size() - 1)));
        }
        return found.orElseGet(() -> UUID.randomUUID().toString());
    }

    /**
     * The thread of a conversation the client named, per key; a name too long for the column is kept as
     * its hash, so every request naming it still lands in one thread.
     */
    static String namedThread(Long keyId, String name) {
        String prefix = "named:" + (keyId == null ? "" : keyId + ":");
        int room = THREAD_CHARS - prefix.length();
        return name.length() <= room ? prefix + name : prefix + "#" + sha256(name).substring(0, room - 1);
    }

    /** A provider's response id as stored: as it is, or its hash when it is longer than the column. */
    static String storedResponseId(String id) {
        return id == null || id.length() <= RESPONSE_ID_CHARS ? id : "#" + sha256(id);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String namedInBody(ObjectNode request) {
        String id = Json.textOrNull(request, "conversation_id");
        if (id != null) {
            return id;
        }
        JsonNode conversation = request.get("conversation");
        if (conversation != null && conversation.isTextual()) {
            return conversation.asText();
        }
        return conversation != null ? Json.textOrNull(conversation, "id") : null;
    }

    /**
     * The conversation as (role, text) pairs: chat {@code messages} (OpenAI's or Anthropic's, whose text blocks and
     * tool results count), or responses {@code input}.
     */
    static List<String[]> turns(ObjectNode request) {
        List<String[]> turns = new ArrayList<>();
        JsonNode messages = request.has("messages") ? request.get("messages") : request.get("input");
        if (messages != null && messages.isTextual()) {
            turns.add(new String[] {"user", messages.asText().strip()});
        } else if (messages != null && messages.isArray()) {
            for (JsonNode m : messages) {
                turns.add(new String[] {m.path("role").asText("user"), text(m.get("content")).strip()});
            }
        } else if (request.has("prompt")) {
            turns.add(new String[] {"user", text(request.get("prompt")).strip()});
        }
        return turns;
    }

    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.isTextual()) {
                text.append(part.asText());
            } else if (part.has("text")) {
                text.append(part.path("text").asText());
            } else if ("tool_result".equals(part.path("type").asText())) { // Anthropic's, whose text is within
                text.append(text(part.get("content")));
            }
        }
        return text.toString();
    }

    static String hash(List<String[]> turns) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String[] turn : turns) {
                digest.update(turn[0].getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(turn[1].getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 1);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
