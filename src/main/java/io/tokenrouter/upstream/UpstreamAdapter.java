package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Usage;
import java.util.Optional;

/**
 * Translates between the OpenAI wire format the client speaks and one kind of upstream: prepares the
 * request body, reads usage from answers and tells which streamed events the gateway itself caused.
 */
public interface UpstreamAdapter {

    /**
     * Rewrites only what routing and metering own: {@code model}, and for streams
     * {@code stream_options.include_usage}. Returns whether the latter was added by the gateway, in
     * which case the usage-only event it produces must not reach the client.
     */
    boolean prepare(ObjectNode body, String upstreamModel, Endpoint endpoint, boolean stream);

    /** Usage reported in a complete (non-streamed) answer or in one streamed event's JSON. */
    Optional<Usage> usage(JsonNode answer);

    /** Whether a streamed event only carries the usage the gateway asked for on the client's behalf. */
    boolean isGatewayUsageEvent(JsonNode event, Endpoint endpoint);
}
