package io.tokenrouter.observe;

import io.tokenrouter.events.EventLog;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.ConversationRepository.Turn;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.TestDatabases;
import io.tokenrouter.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conversation capture against a real (H2) database, storing directly (no scheduler): which thread a
 * request joins, the size cap and redaction of secrets.
 */
class ConversationRecorderTest {

    private static final Instant NOW = Instant.parse("2026-03-10T10:00:00Z");
    private static final String KEY_IN_MESSAGE = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";

    @TempDir
    Path home;

    private Database database;
    private ConversationRepository conversations;
    private ConversationRecorder recorder;
    private int requests;

    @BeforeEach
    void open() {
        database = TestDatabases.h2();
        conversations = TestDatabases.conversations(database);
        recorder = recorder(256 * 1024);
    }

    @AfterEach
    void close() {
        TestDatabases.close(database);
    }

    private ConversationRecorder recorder(int maxBytes) {
        ConversationRecorder r = new ConversationRecorder();
        r.conversations = conversations;
        r.settings = GatewaySettings.load(Map.of("tokenrouter.home", home.toString(),
                "tokenrouter.conversation_max_bytes", String.valueOf(maxBytes)), Map.of());
        return r;
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.parse(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stores one exchange and returns the turn as stored. */
    private Turn store(ConversationRecorder r, Long keyId, ObjectNode request, String answer, String responseId,
                       String conversationId) {
        String requestId = "req-" + ++requests;
        r.store(new CapturedExchange(requestId, NOW.plusSeconds(requests), keyId, keyId == null ? null : "key" + keyId,
                "gpt-4o", "chat.completions", request, answer, responseId, conversationId));
        return conversations.threads(null, null, 0, 1_000).items().stream()
                .flatMap(t -> conversations.thread(t.threadId()).stream())
                .filter(t -> t.requestId().equals(requestId)).findFirst().orElseThrow();
    }

    private Turn store(Long keyId, ObjectNode request, String answer) {
        return store(recorder, keyId, request, answer, null, null);
    }

    private static final String FIRST = "{'model':'gpt-4o','messages':[{'role':'system','content':'Be brief.'},"
            + "{'role':'user','content':'What is H2?'}]}";
    private static final String SECOND = "{'model':'gpt-4o','messages':[{'role':'system','content':'Be brief.'},"
            + "{'role':'user','content':'What is H2?'},{'role':'assistant','content':'A Java SQL database.'},"
            + "{'role':'user','content':'Is it fast?'}]}";

    @Test
    void aNamedConversationIsItsOwnThreadPerKey() {
        Turn header = store(recorder, 7L, json(FIRST), "A Java SQL database.", null, "sess-42");
        Turn body = store(7L, json("{'model':'gpt-4o','conversation_id':'sess-43','messages':[]}"), "ok");
        Turn object = store(7L, json("{'model':'gpt-4o','conversation':{'id':'conv_abc'},'input':'hi'}"), "ok");
        Turn again = store(recorder, 7L, json("{'model':'gpt-4o','messages':[{'role':'user','content':'unrelated'}]}"),
                "ok", null, "sess-42");

        assertThat(header.threadId()).isEqualTo("named:7:sess-42");
        assertThat(body.threadId()).isEqualTo("named:7:sess-43");
        assertThat(object.threadId()).isEqualTo("named:7:conv_abc");
        assertThat(again.threadId()).isEqualTo("named:7:sess-42");
        assertThat(conversations.thread("named:7:sess-42")).extracting(Turn::requestId)
                .containsExactly(header.requestId(), again.requestId());
    }

    @Test
    void aRequestThatRepeatsTheConversationAndItsAnswerJoinsTheThread() {
        Turn first = store(1L, json(FIRST), "A Java SQL database.\n");
        Turn second = store(1L, json(SECOND), "Yes.");
        Turn third = store(1L, json("{'model':'gpt-4o','messages':[{'role':'system','content':'Be brief.'},"
                + "{'role':'user','content':'What is H2?'},{'role':'assistant','content':'A Java SQL database.'},"
                + "{'role':'user','content':'Is it fast?'},{'role':'assistant','content':[{'type':'text','text':'Yes.'}]},"
                + "{'role':'user','content':'Thanks'}]}"), "You're welcome.");

        assertThat(second.threadId()).isEqualTo(first.threadId());
        assertThat(third.threadId()).isEqualTo(first.threadId());
        assertThat(conversations.thread(first.threadId())).hasSize(3);
    }

    /** Anthropic's Messages API: the system prompt beside the turns, content as blocks, tool results within them. */
    @Test
    void anthropicShapedTurnsFormAThreadToo() {
        Turn first = store(3L, json("{'model':'claude','system':'Be brief.','max_tokens':50,"
                + "'messages':[{'role':'user','content':[{'type':'text','text':'What is H2?'}]}]}"), "A Java SQL database.");
        Turn second = store(3L, json("{'model':'claude','system':'Be brief.','max_tokens':50,'messages':["
                + "{'role':'user','content':[{'type':'text','text':'What is H2?'}]},"
                + "{'role':'assistant','content':[{'type':'thinking','thinking':'hm','signature':'s'},"
                + "{'type':'text','text':'A Java SQL database.'}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':[{'type':'text','text':'42 ms'}]},"
                + "{'type':'text','text':'Is it fast?'}]}]}"), "Yes.");

        assertThat(second.threadId()).isEqualTo(first.threadId());
        assertThat(conversations.thread(first.threadId())).hasSize(2);
        assertThat(ConversationRecorder.turns(json("{'messages':[{'role':'user','content':[{'type':'tool_result',"
                + "'tool_use_id':'t1','content':'42 ms'}]}]}")).get(0)[1]).isEqualTo("42 ms");
    }

    /** Captures are stored on background workers: two quick turns of one conversation must still form one thread. */
    @Test
    void quickTurnsStoredInTheBackgroundStayOneThread() throws Exception {
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(2);
        ConversationRecorder r = recorder(256 * 1024);
        r.scheduler = new io.tokenrouter.config.Scheduler() {
            @Override
            public boolean later(String name, Runnable task) {
                workers.execute(task);
                return true;
            }
        };
        try {
            for (long key = 100; key < 120; key++) {
                r.capture(new CapturedExchange("req-a" + key, NOW, key, "key" + key, "gpt-4o", "chat.completions",
                        json(FIRST), "A Java SQL database.", null, null));
                r.capture(new CapturedExchange("req-b" + key, NOW.plusSeconds(1), key, "key" + key, "gpt-4o",
                        "chat.completions", json(SECOND), "Yes.", null, null));
            }
            Waits.await("40 turns stored", java.time.Duration.ofSeconds(10)).until(() -> conversations.threads(null, null, 0, 1_000)
                    .items().stream().mapToLong(ConversationRepository.ThreadSummary::turns).sum() >= 40);
        } finally {
            workers.shutdown();
            workers.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        for (long key = 100; key < 120; key++) {
            assertThat(conversations.threads(null, key, 0, 10).items()).as("key " + key).singleElement()
                    .satisfies(t -> assertThat(t.turns()).isEqualTo(2));
        }
    }

    @Test
    void theSameMessagesFromAnotherKeyStartTheirOwnThread() {
        Turn first = store(1L, json(FIRST), "A Java SQL database.");
        Turn other = store(2L, json(SECOND), "Yes.");

        assertThat(other.threadId()).isNotEqualTo(first.threadId());
        assertThat(conversations.thread(first.threadId())).hasSize(1);
    }

    @Test
    void anAnswerThatDiffersFromTheRepeatedOneStartsANewThread() {
        Turn first = store(1L, json(FIRST), "Something else entirely.");
        Turn second = store(1L, json(SECOND), "Yes.");

        assertThat(second.threadId()).isNotEqualTo(first.threadId());
    }

    @Test
    void previousResponseIdJoinsTheThreadOfThatResponse() {
        Turn first = store(recorder, 1L, json("{'model':'gpt-4o','input':'Tell me a joke'}"), "Why did…", "resp_1", null);
        store(recorder, 1L, json("{'model':'gpt-4o','input':'Unrelated'}"), "ok", "resp_2", null);
        Turn next = store(recorder, 1L, json("{'model':'gpt-4o','input':'Another','previous_response_id':'resp_1'}"),
                "Because…", "resp_3", null);

        assertThat(next.threadId()).isEqualTo(first.threadId());
        assertThat(next.responseId()).isEqualTo("resp_3");
    }

    @Test
    void aFreshRequestStartsANewThread() {
        Turn first = store(1L, json(FIRST), "A Java SQL database.");
        Turn fresh = store(1L, json("{'model':'gpt-4o','messages':[{'role':'user','content':'Hello'}]}"), "Hi!");
        Turn unknownPrevious = store(1L, json("{'model':'gpt-4o','input':'x','previous_response_id':'resp_gone'}"), "y");

        assertThat(fresh.threadId()).isNotEqualTo(first.threadId()).hasSize(36);
        assertThat(unknownPrevious.threadId()).isNotIn(first.threadId(), fresh.threadId()).hasSize(36);
    }

    @Test
    void requestAndAnswerTextAreCutAtConversationMaxBytes() {
        ConversationRecorder small = recorder(100);
        Turn big = store(small, 1L, json("{'model':'gpt-4o','messages':[{'role':'user','content':'" + "x".repeat(500)
                + "'}]}"), "y".repeat(500), null, null);
        Turn bigAnswer = store(small, 1L, json("{'model':'gpt-4o','input':'hi'}"), "z".repeat(101), null, null);
        Turn fits = store(small, 1L, json("{'model':'gpt-4o','input':'hi'}"), "z".repeat(100), null, null);

        assertThat(big.truncated()).isTrue();
        assertThat(big.requestText()).hasSize(100).startsWith("{\"model\":\"gpt-4o\"");
        assertThat(big.responseText()).isEqualTo("y".repeat(100));
        assertThat(bigAnswer.truncated()).isTrue();
        assertThat(bigAnswer.requestText()).isEqualTo("{\"model\":\"gpt-4o\",\"input\":\"hi\"}");
        assertThat(bigAnswer.responseText()).hasSize(100);
        assertThat(fits.truncated()).isFalse();
        assertThat(fits.responseText()).hasSize(100);
    }

    @Test
    void secretsAreRedactedInTheStoredRequestAndAnswer() {
        Turn turn = store(1L, json("{'model':'gpt-4o','messages':[{'role':'user','content':'my key is " + KEY_IN_MESSAGE
                + ", header Authorization: Bearer abcdefghijklmnop1234'}]}"), "Use AKIAIOSFODNN7EXAMPLE carefully.");

        assertThat(turn.requestText()).doesNotContain(KEY_IN_MESSAGE).doesNotContain("abcdefghijklmnop1234")
                .contains("my key is [REDACTED], header Authorization: Bearer [REDACTED]");
        assertThat(turn.responseText()).isEqualTo("Use [REDACTED] carefully.");
        assertThat(turn.truncated()).isFalse();
    }

    @Test
    void aPasswordPastedAsJsonIntoAMessageIsRedacted() {
        ObjectNode request = Json.MAPPER.createObjectNode().put("model", "gpt-4o");
        request.putArray("messages").addObject().put("role", "user")
                .put("content", "Why does this config fail? {\"password\": \"hunter2-prod\"}");

        Turn turn = store(1L, request, "Check the host.");

        assertThat(turn.requestText()).doesNotContain("hunter2-prod");
    }

    @Test
    void aConversationIdLongerThanTheColumnIsKeptAsItsHashAndStillGroupsItsTurns() {
        String longId = "x".repeat(10_000);
        Turn first = store(recorder, 7L, json(FIRST), "A Java SQL database.", null, longId);
        Turn second = store(7L, json("{'model':'gpt-4o','conversation_id':'" + longId + "','messages':[]}"), "ok");
        Turn otherKey = store(recorder, 8L, json(FIRST), "A Java SQL database.", null, longId);

        assertThat(first.threadId()).hasSizeLessThanOrEqualTo(64).startsWith("named:7:#");
        assertThat(second.threadId()).isEqualTo(first.threadId());
        assertThat(otherKey.threadId()).isNotEqualTo(first.threadId()).startsWith("named:8:#");
        assertThat(store(recorder, 7L, json(FIRST), "ok", null, "x".repeat(55)).threadId())
                .as("an id that just fits is kept as it is").isEqualTo("named:7:" + "x".repeat(55));
    }

    @Test
    void aHugeSecretFieldIsRedactedWithoutExhaustingTheStack() {
        ObjectNode request = Json.MAPPER.createObjectNode().put("model", "gpt-4o").put("api_key", "k".repeat(100_000));
        request.putArray("messages").addObject().put("role", "user").put("content", "hi \\\"api_key\\\": \\\""
                + "\\\\\"".repeat(50_000));

        Turn turn = store(1L, request, "ok");

        assertThat(turn.requestText()).contains("\"api_key\":\"[REDACTED]\"").doesNotContain("kkkkkkkk");
    }

    @Test
    void aResponseIdLongerThanTheColumnIsStoredAsItsHashAndContinuedFrom() {
        String longId = "resp_" + "r".repeat(500);
        Turn first = store(recorder, 1L, json("{'model':'gpt-4o','input':'Tell me a joke'}"), "Why did…", longId, null);
        Turn next = store(recorder, 1L, json("{'model':'gpt-4o','input':'More','previous_response_id':'" + longId + "'}"),
                "Because…", "resp_short", null);

        assertThat(first.responseId()).hasSizeLessThanOrEqualTo(200).startsWith("#");
        assertThat(next.threadId()).isEqualTo(first.threadId());
    }

    @Test
    void anotherKeysResponseIdDoesNotJoinItsThread() {
        Turn victim = store(recorder, 1L, json("{'model':'gpt-4o','input':'Our roadmap'}"), "Secret plans", "resp_victim", null);
        Turn intruder = store(recorder, 2L, json("{'model':'gpt-4o','input':'And then?','previous_response_id':'resp_victim'}"),
                "…", "resp_intruder", null);

        assertThat(intruder.threadId()).isNotEqualTo(victim.threadId());
        assertThat(conversations.thread(victim.threadId())).extracting(Turn::requestId).containsExactly(victim.requestId());
    }

    @Test
    void anExchangeThatCannotBeStoredLeavesAVisibleCaptureFailedTurn() {
        ConversationRecorder failing = recorder(256 * 1024);
        failing.conversations = new ConversationRepository() {
            @Override
            public void store(Turn t) {
                if (t.requestText() != null && t.requestText().startsWith("(capture failed")) {
                    conversations.store(t);
                } else {
                    throw new IllegalStateException("value too long for column");
                }
            }

            @Override
            public java.util.Optional<String> threadByContinuation(Long keyId, String hash) {
                return conversations.threadByContinuation(keyId, hash);
            }
        };
        java.util.List<String> noted = new java.util.ArrayList<>();
        failing.events = new EventLog() {
            @Override
            public void error(String category, String actor, String message) {
                noted.add(category + ": " + message);
            }
        };

        Turn turn = store(failing, 3L, json(FIRST), "A Java SQL database.", null, null);

        assertThat(turn.requestText()).isEqualTo("(capture failed: IllegalStateException: value too long for column)");
        assertThat(turn.truncated()).isTrue();
        assertThat(turn.keyId()).isEqualTo(3L);
        assertThat(noted).singleElement().asString().startsWith("capture: Could not capture the conversation of request")
                .endsWith("value too long for column");
    }

    @Test
    void aSecretAcrossTheCaptureLimitIsRedactedBeforeTheTextIsCut() {
        ConversationRecorder small = recorder(100);
        // the key starts at character 98 of the stored request: cut first, "sk" would be kept
        Turn turn = store(small, 1L, json("{'model':'gpt-4o','input':'" + "x".repeat(70) + " " + KEY_IN_MESSAGE + "'}"),
                "ok", null, null);

        assertThat(turn.requestText()).hasSize(100).endsWith(" [R").doesNotContain("sk");
        assertThat(ConversationRecorder.redacted("y".repeat(5_000_000), 100)).hasSize(100 + ConversationRecorder.REDACTION_MARGIN);

        // an answer is kept past the limit for the same reason; a key across the limit is redacted before the cut
        Turn answer = store(small, 1L, json("{'model':'gpt-4o','input':'hi'}"), "z".repeat(95) + " " + KEY_IN_MESSAGE,
                null, null);
        assertThat(answer.responseText()).hasSize(100).endsWith(" [RED").doesNotContain("sk");
        assertThat(answer.truncated()).isTrue();
        assertThat(ConversationRecorder.answerCaptureLimit(100)).isGreaterThan(100 + KEY_IN_MESSAGE.length());
    }
}
