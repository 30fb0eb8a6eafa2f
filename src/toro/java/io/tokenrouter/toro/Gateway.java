package io.tokenrouter.toro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The management API calls toro makes, with the JAX-RS client and Jackson. Every failure becomes a
 * {@link ToroException} with the gateway's own message and the exit code for its kind.
 */
final class Gateway implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String key;
    private final Client client;

    Gateway(String url, String key) {
        this.url = url;
        this.key = key;
        this.client = ClientBuilder.newBuilder()
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(60, TimeUnit.SECONDS)
                .register(new JacksonJsonProvider(JSON))
                .build();
    }

    String url() {
        return url;
    }

    /** {@code POST /api/sso/device}: a device sign-in started at the identity provider (no key needed). */
    JsonNode ssoDeviceStart() {
        return call("POST /api/sso/device", () -> request("api/sso/device").post(Entity.entity("{}",
                MediaType.APPLICATION_JSON_TYPE)));
    }

    /**
     * {@code POST /api/sso/device/token}: the new key once the person approved; null while they have not
     * ({@code authorization_pending}); {@link #SLOW_DOWN} when asked to poll less often.
     */
    JsonNode ssoDevicePoll(String deviceCode) {
        ObjectNode body = JSON.createObjectNode().put("device_code", deviceCode);
        try {
            return call("POST /api/sso/device/token", () -> request("api/sso/device/token")
                    .post(Entity.entity(body, MediaType.APPLICATION_JSON_TYPE)));
        } catch (ToroException e) {
            if (e.code() != null && e.code().equals("authorization_pending")) {
                return null;
            }
            if (e.code() != null && e.code().equals("slow_down")) {
                return SLOW_DOWN;
            }
            throw e;
        }
    }

    /** The poll's answer when the server asks toro to slow down. */
    static final JsonNode SLOW_DOWN = JSON.createObjectNode().put("slow_down", true);

    /** {@code GET /api/me}: the key, its role, expiry, models and limits. */
    JsonNode me() {
        return call("GET /api/me", () -> request("api/me").get());
    }

    /** Creates a key beneath the connected one; the answer holds {@code key} (the secret) and {@code details}. */
    JsonNode createKey(ObjectNode draft) {
        return call("POST /api/keys", () -> request("api/keys").post(Entity.entity(draft, MediaType.APPLICATION_JSON_TYPE)));
    }

    JsonNode revokeKey(long id) {
        return call("POST /api/keys/" + id + "/revoke", () -> request("api/keys/" + id + "/revoke")
                .post(Entity.entity("{}", MediaType.APPLICATION_JSON_TYPE)));
    }

    /** Every key the connected key may manage (all pages). */
    List<JsonNode> keys() {
        List<JsonNode> all = new ArrayList<>();
        for (int offset = 0; ; offset += 200) {
            String path = "api/keys?limit=200&offset=" + offset;
            JsonNode page = call("GET /api/keys", () -> request(path).get());
            page.path("data").forEach(all::add);
            if (page.path("data").size() < 200 || all.size() >= page.path("total").asLong()) {
                return all;
            }
        }
    }

    /** {@code GET /api/usage} for the keys the connected key may see, from {@code from} (ISO instant). */
    JsonNode usage(String from, String groupBy) {
        return call("GET /api/usage", () -> request("api/usage?from=" + from + "&group_by=" + groupBy).get());
    }

    /** {@code GET /v1/models} with {@code withKey} (the parent or a temporary key). */
    List<String> models(String withKey) {
        JsonNode list = call("GET /v1/models", () -> client.target(url).path("v1/models").request(MediaType.APPLICATION_JSON_TYPE)
                .header("Authorization", "Bearer " + withKey).get());
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    private Invocation.Builder request(String path) {
        String[] parts = path.split("\\?", 2);
        var target = client.target(url).path(parts[0]);
        if (parts.length > 1) {
            for (String pair : parts[1].split("&")) {
                String[] kv = pair.split("=", 2);
                target = target.queryParam(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        var request = target.request(MediaType.APPLICATION_JSON_TYPE);
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    private JsonNode call(String what, Supplier<Response> send) {
        Response sent;
        try {
            sent = send.get();
        } catch (ProcessingException e) {
            throw unreachable(e);
        }
        try (Response response = sent) {
            String body = response.hasEntity() ? response.readEntity(String.class) : "";
            int status = response.getStatus();
            JsonNode json = parse(body);
            if (status >= 200 && status < 300) {
                if (json == null) {
                    throw new ToroException(ToroException.SERVER, what + " answered HTTP " + status
                            + " without JSON; is " + url + " a TokenRouter server?");
                }
                return json;
            }
            String message = json == null ? null : json.path("error").path("message").asText(null);
            String code = json == null ? null : json.path("error").path("code").asText(null);
            String detail = message != null ? message : "HTTP " + status + (body.isBlank() ? "" : ": " + snippet(body));
            throw switch (status) {
                case 400 -> new ToroException(2, "refused by the server: " + detail).withCode(code);
                case 401 -> new ToroException(ToroException.KEY_REFUSED, "the key was refused: " + detail);
                case 403 -> new ToroException(ToroException.KEY_REFUSED, "not allowed: " + detail);
                case 429 -> new ToroException(ToroException.QUOTA, "refused by a limit: " + detail);
                case 404 -> new ToroException(ToroException.SERVER, what + ": " + detail
                        + (message == null ? "; is " + url + " a TokenRouter server?" : ""));
                default -> new ToroException(ToroException.SERVER, what + " failed: " + detail);
            };
        } catch (ProcessingException e) {
            throw unreachable(e);
        }
    }

    /** Maps a failed call to its one-line message. */
    ToroException unreachable(ProcessingException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String why;
        if (cause instanceof ConnectException) {
            why = "connection refused";
        } else if (cause instanceof UnknownHostException) {
            why = "unknown host " + cause.getMessage();
        } else if (cause instanceof SocketTimeoutException) {
            why = "no answer in time";
        } else if (cause instanceof SSLException) {
            why = "TLS failed: " + cause.getMessage();
        } else {
            why = String.valueOf(cause.getMessage());
        }
        return new ToroException(ToroException.UNREACHABLE, "cannot reach " + url + ": " + why, e);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String snippet(String body) {
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
    }

    @Override
    public void close() {
        client.close();
    }
}
