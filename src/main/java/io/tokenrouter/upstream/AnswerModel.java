package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tokenrouter.api.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Names the model of an answer as the client asked for it. A provider answers with its own name for the
 * model (the bare upstream id, often a dated version of it), while the client asked for an alias, a
 * {@code provider/model} id or a bare name, and compares answers against that. So each {@code "model"}
 * field whose value is the provider's name becomes the asked name, in the answer's bytes as they are (no
 * re-serialisation; every other byte passes through); the provider's name is kept for the
 * {@code x-tokenrouter-upstream-model} header.
 */
public final class AnswerModel {

    private static final byte[] FIELD = "\"model\"".getBytes(StandardCharsets.UTF_8);

    private final byte[] asked;

    private AnswerModel(String askedName) {
        this.asked = Json.bytes(TextNode.valueOf(askedName));
    }

    /** Rewrites to {@code askedName}. */
    public static AnswerModel of(String askedName) {
        return new AnswerModel(askedName);
    }

    /** The provider's name for the model in an answer or its first streamed event (of either API), or null. */
    public static String upstreamName(JsonNode answer) {
        JsonNode model = answer.path("model");
        if (!model.isTextual()) {
            model = answer.path("response").path("model");
        }
        if (!model.isTextual()) {
            model = answer.path("message").path("model"); // Anthropic's message_start
        }
        return model.isTextual() ? model.asText() : null;
    }

    /** A model name as a JSON string (quotes and escapes included), the form {@link #rewrite} looks for. */
    public static byte[] quoted(String name) {
        return Json.bytes(TextNode.valueOf(name));
    }

    /**
     * {@code json} with every {@code "model": <upstream>} naming the asked model, where {@code upstream} is the
     * provider's name as {@link #quoted} writes it; the same array when none does.
     */
    public byte[] rewrite(byte[] json, byte[] upstream) {
        if (upstream == null || upstream.length <= 2) {
            return json;
        }
        byte[] value = upstream;
        ByteArrayOutputStream out = null;
        int copied = 0;
        for (int at = CredentialScrubber.indexOf(json, FIELD, 0); at >= 0; at = CredentialScrubber.indexOf(json, FIELD, at + 1)) {
            int start = valueStart(json, at + FIELD.length);
            if (start < 0 || !matches(json, start, value)) {
                continue;
            }
            if (out == null) {
                out = new ByteArrayOutputStream(json.length + asked.length);
            }
            out.write(json, copied, start - copied);
            out.write(asked, 0, asked.length);
            copied = start + value.length;
            at = copied - 1;
        }
        if (out == null) {
            return json;
        }
        out.write(json, copied, json.length - copied);
        return out.toByteArray();
    }

    /** Where the value after a field name starts (past blanks, the colon and blanks), or -1 when no colon follows. */
    private static int valueStart(byte[] json, int from) {
        int i = skipBlanks(json, from);
        if (i >= json.length || json[i] != ':') {
            return -1;
        }
        return skipBlanks(json, i + 1);
    }

    private static int skipBlanks(byte[] json, int from) {
        int i = from;
        while (i < json.length && (json[i] == ' ' || json[i] == '\t' || json[i] == '\r' || json[i] == '\n')) {
            i++;
        }
        return i;
    }

    private static boolean matches(byte[] json, int at, byte[] value) {
        if (at + value.length > json.length) {
            return false;
        }
        for (int i = 0; i < value.length; i++) {
            if (json[at + i] != value[i]) {
                return false;
            }
        }
        return true;
    }
}
