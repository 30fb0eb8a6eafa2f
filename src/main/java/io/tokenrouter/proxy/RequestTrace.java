package io.tokenrouter.proxy;

import io.tokenrouter.access.Caller;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.routing.Route;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One {@code /v1} request from the moment it arrives: its id (sent back as {@code x-request-id} on every
 * answer), when it started, where it came from, and what is known of it as it goes (caller, endpoint,
 * model, route). A request refused before it was forwarded is recorded from this; one that was forwarded
 * is recorded by its {@link Exchange}.
 */
final class RequestTrace {

    static final String PROPERTY = "io.tokenrouter.trace";
    private static final HexFormat HEX = HexFormat.of();

    final String requestId = newRequestId();
    final long startNanos = System.nanoTime();
    final Instant startTime = Instant.now();
    final ClientInfo client;
    volatile Caller caller;
    volatile Endpoint endpoint;
    volatile String requestedModel;
    volatile Route route;
    volatile boolean stream;
    /** The error a refused request is answered with, from the exception that refused it ({@link RefusalCauses}). */
    volatile io.tokenrouter.api.GatewayException refusal;
    /** Set once an {@link Exchange} owns the request, which then records it. */
    volatile boolean forwarded;
    /**
     * The most prompt and completion tokens the request can cost (its reservation's bounds): what a provider
     * reports beyond them is implausible. Set before it is forwarded.
     */
    volatile long promptBound;
    volatile long completionBound;
    /** What a continued conversation's provider prepends, as part of {@link #promptBound}. */
    volatile long continuationBound;

    RequestTrace(ClientInfo client) {
        this.client = client;
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * {@code req_} and 23 hex digits: the time in milliseconds (11 digits), then 48 random bits. Ids
     * that grow with time are added at one end of the request log's id index, which stays in cache,
     * instead of at a random page of it.
     */
    static String newRequestId() {
        String millis = HEX.toHexDigits(System.currentTimeMillis());
        String random = HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
        return "req_" + millis.substring(5) + random.substring(4);
    }
}
