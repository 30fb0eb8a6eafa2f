package io.tokenrouter.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the OpenAI error envelope {@code {"error":{"message","type","param","code"}}}. */
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
}
