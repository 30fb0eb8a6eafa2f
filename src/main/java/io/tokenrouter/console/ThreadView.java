package io.tokenrouter.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.api.Json;
import io.tokenrouter.store.ConversationRepository.Turn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.Set;
import org.commonmark.node.Image;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.NodeRenderer;
import org.commonmark.renderer.html.HtmlNodeRendererContext;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.html.HtmlWriter;

/**
 * A captured thread made readable: each turn's new messages (a turn repeats the whole history, so only what
 * the previous turns did not show), and the answer, rendered from Markdown with raw HTML escaped and unsafe
 * links removed; reasoning ({@code <think>} blocks, {@code reasoning_content}) is kept apart, collapsed.
 */
public final class ThreadView {

    private static final Parser MARKDOWN = Parser.builder().build();
    private static final HtmlRenderer HTML = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true)
            .nodeRendererFactory(ImageAsText::new).build();
    private static final Pattern THINK = Pattern.compile("(?s)<think>(.*?)(</think>|$)");

    /** One message: who said it, its text as safe HTML, its reasoning (HTML, or null). */
    public record Message(String role, String html, String reasoning) {
    }

    /** One request and its answer. */
    public record TurnView(Turn turn, List<Message> messages, Message answer, String raw) {
    }

    private ThreadView() {
    }

    public static List<TurnView> of(List<Turn> turns) {
        List<TurnView> result = new ArrayList<>();
        int seen = 0;
        for (Turn turn : turns) {
            List<Message> messages = messages(turn.requestText());
            List<Message> shown = messages == null ? List.of()
                    : messages.size() > seen && seen > 0 ? messages.subList(seen, messages.size()) : messages;
            Message answer = turn.responseText() == null ? null : message("assistant", turn.responseText(), null);
            result.add(new TurnView(turn, shown, answer, messages == null ? turn.requestText() : null));
            seen = messages == null ? 0 : messages.size() + 1;
        }
        return result;
    }

    /** The messages of a request body (chat messages, a responses input, or a completions prompt); null if unreadable. */
    static List<Message> messages(String requestText) {
        JsonNode body;
        try {
            body = Json.parse(requestText);
        } catch (IOException | RuntimeException e) {
            return null; // cut at the capture limit, or not JSON: shown raw
        }
        List<Message> result = new ArrayList<>();
        JsonNode list = body.has("messages") ? body.get("messages") : body.get("input");
        if (list != null && list.isArray()) {
            for (JsonNode m : list) {
                String role = m.path("role").asText(m.path("type").asText("user"));
                result.add(message(role, text(m.get("content")), text(m.get("reasoning_content"))));
            }
        } else if (list != null && list.isTextual()) {
            result.add(message("user", list.asText(), null));
        } else if (body.has("prompt")) {
            result.add(message("user", text(body.get("prompt")), null));
        }
        if (body.hasNonNull("instructions")) {
            result.add(0, message("system", body.get("instructions").asText(), null));
        }
        return result;
    }

    /** The text of a content field: a string, or the text parts of an array. */
    static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    text.append(part.asText());
                } else if (part.has("text")) {
                    text.append(part.get("text").asText());
                } else {
                    text.append("[").append(part.path("type").asText("part")).append("]");
                }
                text.append("\n\n");
            }
            return text.toString().strip();
        }
        return content.toString();
    }

    static Message message(String role, String text, String reasoning) {
        StringBuilder thinking = new StringBuilder(reasoning == null ? "" : reasoning);
        String said = text == null ? "" : text;
        Matcher think = THINK.matcher(said);
        if (think.find()) {
            StringBuilder rest = new StringBuilder();
            do {
                thinking.append(thinking.isEmpty() ? "" : "\n\n").append(think.group(1).strip());
                think.appendReplacement(rest, "");
            } while (think.find());
            think.appendTail(rest);
            said = rest.toString();
        }
        return new Message(role, markdown(said), thinking.isEmpty() ? null : markdown(thinking.toString()));
    }

    static String markdown(String text) {
        return HTML.render(MARKDOWN.parse(text));
    }

    /**
     * Images in captured text are shown as their description and address, never loaded: a prompt or an
     * answer must not make the admin's browser fetch a URL of someone else's choosing.
     */
    private static final class ImageAsText implements NodeRenderer {

        private final HtmlNodeRendererContext context;

        ImageAsText(HtmlNodeRendererContext context) {
            this.context = context;
        }

        @Override
        public Set<Class<? extends Node>> getNodeTypes() {
            return Set.of(Image.class);
        }

        @Override
        public void render(Node node) {
            Image image = (Image) node;
            StringBuilder alt = new StringBuilder();
            for (Node child = image.getFirstChild(); child != null; child = child.getNext()) {
                if (child instanceof Text t) {
                    alt.append(t.getLiteral());
                }
            }
            HtmlWriter html = context.getWriter();
            html.tag("span", Map.of("class", "tr-muted"));
            html.text("[image" + (alt.isEmpty() ? "" : ": " + alt) + " — " + image.getDestination() + "]");
            html.tag("/span");
        }
    }
}
