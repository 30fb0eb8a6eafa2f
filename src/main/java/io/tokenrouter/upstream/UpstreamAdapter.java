package io.tokenrouter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Usage;
import java.util.Optional;

/**
 * What the gateway does to a request body of one API and reads from the answers of a provider of that API:
 * prepares the body, reads usage and tells which streamed events the gateway itself caused. One per API:
 * {@link OpenAiPassthroughAdapter} and {@link AnthropicAdapter} (see {@link #of}); between the two APIs, the
 * {@code translate} package.
 */
public interface UpstreamAdapter {

    /** The adapter of Anthropic's API, or of OpenAI's. */
    static UpstreamAdapter of(boolean anthropic) {
        return anthropic ? AnthropicAdapter.INSTANCE : OpenAiPassthroughAdapter.INSTANCE;
    }

    /**
     * Rewrites only what routing and metering own: {@code model}, and for streams
     * {@code stream_options.include_usage}. Returns whether the latter was added by the gateway, in
     * which case the usage-only event it produces must not reach the client.
     */
    boolean prepare(ObjectNode body, String upstreamModel, Endpoint endpoint, boolean stream);

    /**
     * Makes {@code perChoice} the most completion tokens the provider may generate: sets the endpoint's
     * maximum when the request names none, and lowers any maximum it names above it. The gateway reserved
     * for that many; without it, a provider's own default could generate more than any limit allows.
     */
    void capCompletion(ObjectNode body, Endpoint endpoint, long perChoice, java.net.URI provider);

    /** Usage reported in a complete (non-streamed) answer or in one streamed event's JSON. */
    Optional<Usage> usage(JsonNode answer);

    /**
     * Whether the usage a streamed event reports covers the whole answer; OpenAI's APIs report it once, at the end
     * (Anthropic reports the prompt's when the stream starts).
     */
    default boolean completesUsage(JsonNode event) {
        return true;
    }

    /** Whether a streamed event only carries the usage the gateway asked for on the client's behalf. */
    boolean isGatewayUsageEvent(JsonNode event, Endpoint endpoint);
}
