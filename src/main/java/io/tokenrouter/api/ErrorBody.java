package io.tokenrouter.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds the OpenAI error envelope {@code {"error":{"message","type","param","code"}}}, and Anthropic's
 * {@code {"type":"error","error":{"type","message"}}} for the clients of its Messages API, into which an OpenAI
 * envelope (the gateway's own, or an OpenAI-compatible provider's) is rewritten and back.
 */
public final class ErrorBody {

    private ErrorBody() {
    }

    public static ObjectNode of(String message, String type, String param, String code) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }

    public static ObjectNode of(GatewayException e) {
        return of(e.getMessage(), e.type(), e.param(), e.code());
    }

    /** The envelope as bytes, for places that write raw output such as an SSE frame. */
    public static byte[] bytes(GatewayException e) {
        return Json.bytes(of(e));
    }

    /** Anthropic's envelope for an error of HTTP {@code status}. */
    public static ObjectNode anthropic(int status, String message) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("type", "error");
        ObjectNode error = root.putObject("error");
        error.put("type", anthropicType(status));
        error.put("message", message);
        return root;
    }

    /** Anthropic's error type for an HTTP status. */
    public static String anthropicType(int status) {
        return switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /**
     * An error answer's body as an Anthropic client reads it: Anthropic's envelope as it is, OpenAI's (with its
     * code, when it has one, ahead of the message) rewritten, anything else wrapped; {@code body} itself when it is
     * Anthropic's already.
     */
    public static byte[] toAnthropic(byte[] body, int status) {
        com.fasterxml.jackson.databind.JsonNode json = Json.parseOrNull(body);
        if (json != null && "error".equals(json.path("type").asText()) && json.path("error").isObject()) {
            return body;
        }
        String message;
        if (json != null && json.path("error").isObject()) {
            com.fasterxml.jackson.databind.JsonNode error = json.path("error");
            message = error.path("message").asText("");
            String code = error.path("code").isTextual() ? error.path("code").asText() : null;
            if (code != null && !code.isEmpty() && !message.startsWith(code)) {
                message = code + ": " + message;
            }
        } else {
            message = body.length == 0 ? "HTTP " + status : new String(body, 0, Math.min(body.length, 500),
                    java.nio.charset.StandardCharsets.UTF_8).strip();
        }
        return Json.bytes(anthropic(status, message));
    }

    /** An Anthropic error envelope in OpenAI's, its error type kept as the code; null when {@code json} is not one. */
    public static ObjectNode fromAnthropic(com.fasterxml.jackson.databind.JsonNode json, int status) {
        if (json == null || !"error".equals(json.path("type").asText()) || !json.path("error").isObject()) {
            return null;
        }
        com.fasterxml.jackson.databind.JsonNode error = json.path("error");
        String type = error.path("type").asText(anthropicType(status));
        return of(error.path("message").asText(""), status >= 500 ? "upstream_error" : "invalid_request_error", null, type);
    }
}
