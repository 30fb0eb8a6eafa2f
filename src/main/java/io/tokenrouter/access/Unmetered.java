package io.tokenrouter.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.GatewayException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Costs a provider bills that no usage figure shows, so no quota or budget can hold them: a background
 * response (answered "queued", never metered here), a premium service tier, built-in tools billed per call
 * (web search and fetch, file search, code interpreter, image generation, computer use, remote MCP servers), prompts kept
 * at the provider or read from documents (a prompt template by id, files by id, URL or inline) whose tokens the
 * gateway cannot bound. A request that would
 * incur one is refused unless an admin allowed it for the key, an ancestor or the team ({@code unmetered}:
 * a list of these names); admin keys may incur them all.
 */
public final class Unmetered {

    public static final String BACKGROUND = "background";
    public static final String PRIORITY_TIER = "service_tier:priority";
    public static final String SCALE_TIER = "service_tier:scale";
    public static final String WEB_SEARCH = "tool:web_search";
    public static final String WEB_FETCH = "tool:web_fetch";
    public static final String FILE_SEARCH = "tool:file_search";
    public static final String CODE_INTERPRETER = "tool:code_interpreter";
    public static final String IMAGE_GENERATION = "tool:image_generation";
    public static final String COMPUTER_USE = "tool:computer_use";
    public static final String MCP = "tool:mcp";
    public static final String FILES = "files";
    public static final String PROMPT_TEMPLATE = "prompt_template";
    /** Anthropic's 1M-token context beta ({@code context-1m-*}): prompts beyond 200K tokens at premium prices. */
    public static final String LONG_CONTEXT = "long_context";

    /** Every name an admin may allow. */
    public static final Set<String> NAMES = Set.of(BACKGROUND, PRIORITY_TIER, SCALE_TIER, WEB_SEARCH, WEB_FETCH, FILE_SEARCH,
            CODE_INTERPRETER, IMAGE_GENERATION, COMPUTER_USE, MCP, FILES, PROMPT_TEMPLATE, LONG_CONTEXT);
    /** Service tiers that cost no more than the default (flex costs less). */
    private static final Set<String> PLAIN_TIERS = Set.of("auto", "default", "flex", "standard_only");

    private Unmetered() {
    }

    /** The names stored for a key or team ({@code "background,tool:web_search"}); unknown names are ignored. */
    public static Set<String> parse(String stored) {
        Set<String> names = new LinkedHashSet<>();
        if (stored != null) {
            for (String name : stored.split(",")) {
                if (NAMES.contains(name.trim())) {
                    names.add(name.trim());
                }
            }
        }
        return names;
    }

    /** Validates names an admin gives (400 naming the unknown one); the stored form, or null to clear. */
    public static String validate(List<String> names) {
        if (names == null) {
            return null;
        }
        Set<String> valid = new java.util.TreeSet<>();
        for (String name : names) {
            if (name == null || !NAMES.contains(name.trim())) {
                throw GatewayException.invalidRequest("unmetered", "'" + name + "' is not a cost that can be allowed;"
                        + " these can: " + String.join(", ", new java.util.TreeSet<>(NAMES)) + ".");
            }
            valid.add(name.trim());
        }
        return valid.isEmpty() ? "" : String.join(",", valid);
    }

    /** What of these costs {@code body} would incur (empty when none). */
    public static List<String> incurredBy(ObjectNode body) {
        List<String> found = new ArrayList<>();
        if (body.path("background").asBoolean(false)) {
            found.add(BACKGROUND);
        }
        JsonNode tier = body.get("service_tier");
        if (tier != null && tier.isTextual() && !PLAIN_TIERS.contains(tier.asText())) {
            found.add(tier.asText().equals("scale") ? SCALE_TIER : PRIORITY_TIER);
        }
        if (body.hasNonNull("web_search_options")) {
            found.add(WEB_SEARCH);
        }
        if (body.path("mcp_servers").isArray() && !body.path("mcp_servers").isEmpty()) { // Anthropic's MCP connector
            found.add(MCP);
        }
        for (JsonNode tool : body.path("tools")) {
            String name = toolName(tool.path("type").asText(""));
            if (name != null) {
                found.add(name);
            }
        }
        JsonNode prompt = body.get("prompt");
        if (prompt != null && prompt.isObject() && prompt.hasNonNull("id")) {
            found.add(PROMPT_TEMPLATE);
        }
        if (referencesFiles(body.get("input")) || referencesFiles(body.get("messages"))) {
            found.add(FILES);
        }
        return found.stream().distinct().toList();
    }

    /** The unmetered name of a built-in tool type, or null for a function or other metered tool. */
    static String toolName(String type) {
        if (type.startsWith("web_search")) {
            return WEB_SEARCH;
        }
        if (type.startsWith("web_fetch")) { // Anthropic's: the pages and PDFs it fetches join the prompt, unbounded
            return WEB_FETCH;
        }
        return switch (type) {
            case "file_search" -> FILE_SEARCH;
            case "code_interpreter" -> CODE_INTERPRETER;
            case "image_generation" -> IMAGE_GENERATION;
            case "computer_use", "computer_use_preview" -> COMPUTER_USE;
            case "mcp" -> MCP;
            default -> type.startsWith("code_execution") ? CODE_INTERPRETER : null; // Anthropic's, billed by the hour
        };
    }

    /**
     * Whether any content part is a file by id, URL or inline data (Responses {@code input_file}, chat
     * {@code file}, Anthropic's {@code document}): a document's pages reach the model as text and images, far more
     * tokens than its bytes.
     */
    private static boolean referencesFiles(JsonNode items) {
        return items != null && items.isArray() && anyFile(items);
    }

    /** Whether any of {@code items}' content parts (a tool result's within it too) is a file. */
    private static boolean anyFile(Iterable<JsonNode> items) {
        for (JsonNode item : items) {
            for (JsonNode part : item.path("content")) {
                if ("document".equals(part.path("type").asText())
                        || "tool_result".equals(part.path("type").asText()) && anyFile(List.of(part))) {
                    return true;
                }
                JsonNode file = "file".equals(part.path("type").asText()) ? part.path("file") : part;
                if (file.hasNonNull("file_id") || file.hasNonNull("file_url") || file.hasNonNull("file_data")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What of these costs the betas an Anthropic client asks for ({@code anthropic-beta}) would incur. */
    public static List<String> incurredByBetas(String anthropicBeta) {
        return anthropicBeta != null && anthropicBeta.contains("context-1m") ? List.of(LONG_CONTEXT) : List.of();
    }

    /** Refuses (403) the first cost {@code body} would incur that {@code caller} is not allowed. */
    public static void check(Caller caller, ObjectNode body) {
        check(caller, body, null);
    }

    /**
     * Refuses (403) the first cost {@code body} (or the Anthropic betas asked for, which may be null) would incur that
     * {@code caller} is not allowed.
     */
    public static void check(Caller caller, ObjectNode body, String anthropicBeta) {
        List<String> costs = new ArrayList<>(incurredBy(body));
        costs.addAll(incurredByBetas(anthropicBeta));
        for (String cost : costs) {
            if (!caller.mayIncur(cost)) {
                throw new GatewayException(403, "invalid_request_error", "unmetered_cost_not_allowed", param(cost),
                        "This request would incur a cost the gateway cannot meter (" + cost + "), which no quota or"
                                + " budget can hold; an administrator can allow it for this key or its team ('unmetered').");
            }
        }
    }

    private static String param(String cost) {
        return cost.startsWith("tool:") ? "tools" : cost.startsWith("service_tier") ? "service_tier"
                : cost.equals(FILES) ? "input" : cost.equals(PROMPT_TEMPLATE) ? "prompt"
                : cost.equals(LONG_CONTEXT) ? "anthropic-beta" : cost;
    }
}
