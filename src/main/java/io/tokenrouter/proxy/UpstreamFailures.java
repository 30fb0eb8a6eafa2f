package io.tokenrouter.proxy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.routing.ProviderTarget;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletionException;

/** Maps a failed upstream call to the client's answer: a timeout is 504, anything else 502. */
final class UpstreamFailures {

    private UpstreamFailures() {
    }

    static GatewayException map(ProviderTarget provider, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof GatewayException gateway) {
            return gateway;
        }
        if (cause instanceof HttpConnectTimeoutException || isConnectTimeout(cause)) {
            return new GatewayException(504, "upstream_error", "upstream_timeout", null, "Connecting to provider '"
                    + provider.name() + "' timed out after " + provider.connectTimeout().toMillis() + " ms.", null, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return GatewayException.upstreamTimeout(provider.name(), provider.readTimeout());
        }
        if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException
                || cause instanceof java.net.UnknownHostException || cause instanceof java.net.NoRouteToHostException) {
            return GatewayException.upstreamUnavailable(provider.name(), "connection refused or host unreachable", cause);
        }
        return GatewayException.upstreamUnavailable(provider.name(), detail(cause), cause);
    }

    /** Jetty's client fails a connect that outlasts its timeout with this (and no more specific type). */
    private static boolean isConnectTimeout(Throwable cause) {
        return cause instanceof java.net.SocketTimeoutException && cause.getMessage() != null
                && cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect");
    }

    /**
     * What the client is told: an I/O failure's own message (the JDK's words for resets), a connection
     * the provider closed in our words, anything else only by its kind, since its text may quote the
     * request (its headers).
     */
    private static String detail(Throwable cause) {
        if (cause instanceof java.io.EOFException || cause instanceof java.nio.channels.ClosedChannelException) {
            // Jetty's message for these is its connection's state dump
            return "the provider closed the connection before the answer was complete";
        }
        if (cause instanceof java.io.IOException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        return cause instanceof java.io.IOException ? cause.getClass().getSimpleName()
                : "the request could not be sent (" + cause.getClass().getSimpleName() + ")";
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.io.IOException && t.getCause() instanceof ConnectException) {
            return t.getCause();
        }
        return t;
    }
}
