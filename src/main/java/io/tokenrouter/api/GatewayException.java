package io.tokenrouter.api;

import java.time.Duration;

/**
 * The one unchecked exception the gateway throws to answer a client with an error. It carries
 * everything the OpenAI error envelope {@code {"error":{"message","type","param","code"}}} needs,
 * plus the HTTP status and an optional {@code Retry-After}. {@link GatewayExceptionMapper} writes it.
 */
public class GatewayException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Duration retryAfter;
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public GatewayException(int status, String type, String code, String param, String message,
                            Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
    }

    public GatewayException(int status, String type, String code, String param, String message) {
        this(status, type, code, param, message, null, null);
    }

    public static GatewayException invalidRequest(String param, String message) {
        return new GatewayException(400, "invalid_request_error", null, param, message);
    }

    public static GatewayException invalidJson(String detail) {
        return new GatewayException(400, "invalid_request_error", "invalid_json", null,
                "The request body is not valid JSON: " + detail);
    }

    public static GatewayException missingApiKey() {
        return new GatewayException(401, "invalid_request_error", "missing_api_key", null,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
    }

    public static GatewayException invalidApiKey() {
        return new GatewayException(401, "invalid_request_error", "invalid_api_key", null,
                "Incorrect API key provided.");
    }

    public static GatewayException expiredApiKey(String expiredAt) {
        return new GatewayException(401, "invalid_request_error", "expired_api_key", null,
                "The API key expired at " + expiredAt + ".");
    }

    public static GatewayException revokedApiKey() {
        return new GatewayException(401, "invalid_request_error", "revoked_api_key", null,
                "The API key has been revoked.");
    }

    public static GatewayException modelNotAllowed(String model) {
        return new GatewayException(403, "invalid_request_error", "model_not_allowed", "model",
                "The model '" + model + "' is not allowed for this key.");
    }

    public static GatewayException modelNotFound(String model) {
        return new GatewayException(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist or no enabled provider serves it.");
    }

    public static GatewayException notFound(String message) {
        return new GatewayException(404, "invalid_request_error", "not_found", null, message);
    }

    public static GatewayException bodyTooLarge(long limit) {
        return new GatewayException(413, "invalid_request_error", "request_too_large", null,
                "The request body exceeds the limit of " + limit + " bytes.");
    }

    public static GatewayException upstreamUnavailable(String provider, String detail, Throwable cause) {
        return new GatewayException(502, "upstream_error", "upstream_unavailable", null,
                "Provider '" + provider + "' could not be reached: " + detail, null, cause);
    }

    public static GatewayException upstreamInvalid(String provider, String detail) {
        return new GatewayException(502, "upstream_error", "upstream_invalid_response", null,
                "Provider '" + provider + "' sent an invalid response: " + detail);
    }

    public static GatewayException upstreamTimeout(String provider, Duration timeout) {
        return new GatewayException(504, "upstream_error", "upstream_timeout", null,
                "Provider '" + provider + "' sent nothing for " + timeout.toMillis() + " ms.");
    }

    /** Adds a response header (such as {@code x-ratelimit-*}) to the error answer. */
    public GatewayException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }

    /** 503: the database cannot be reached and what was asked needs it; worth retrying in a few seconds. */
    public static GatewayException databaseUnavailable(String message) {
        return new GatewayException(503, "server_error", "database_unavailable", null, message, Duration.ofSeconds(5), null);
    }

    public static GatewayException forbidden(String message) {
        return new GatewayException(403, "permission_error", "insufficient_permissions", null, message);
    }

    public static GatewayException conflict(String message) {
        return new GatewayException(409, "invalid_request_error", "conflict", null, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
