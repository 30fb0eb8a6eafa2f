package io.tokenrouter.upstream;

import io.tokenrouter.config.DaemonThreads;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.glassfish.jersey.client.ClientProperties;

/**
 * Calls the gateway makes off the request path (connection tests, model discovery, quota APIs, alert
 * webhooks), with the Jersey client. Every call has a whole-call deadline: connecting, waiting and reading
 * the answer together; a call past it is cancelled and reported as a timeout. Answers are read up to
 * {@value #MAX_ANSWER_BYTES} bytes. Error messages never carry request headers (credentials).
 */
@ApplicationScoped
public class OutboundHttp {

    static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

    /** A finished call: the status and the answer's bytes. */
    public record Answer(int status, byte[] body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    private final ThreadPoolExecutor calls = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(100), DaemonThreads.named("outbound-call"));
    private final Client client = ClientBuilder.newBuilder().property(ClientProperties.FOLLOW_REDIRECTS, false).build();

    public Answer get(URI uri, Map<String, String> headers, Duration deadline) throws IOException {
        return call(uri, headers, deadline, Invocation.Builder::get);
    }

    public Answer postJson(URI uri, Map<String, String> headers, String json, Duration deadline) throws IOException {
        return call(uri, headers, deadline, request -> request.post(Entity.entity(json, MediaType.APPLICATION_JSON)));
    }

    /** Posts {@code body} of {@code contentType} (JSON Lines of audit entries, for one). */
    public Answer post(URI uri, Map<String, String> headers, String contentType, byte[] body, Duration deadline)
            throws IOException {
        return call(uri, headers, deadline, request -> request.post(Entity.entity(body, contentType)));
    }

    /** Posts an {@code application/x-www-form-urlencoded} body, already encoded (an OAuth token request). */
    public Answer postForm(URI uri, Map<String, String> headers, String form, Duration deadline) throws IOException {
        return call(uri, headers, deadline, request -> request.post(Entity.entity(form, MediaType.APPLICATION_FORM_URLENCODED)));
    }

    /**
     * Sends and reads the whole answer on a call thread, which gives up reading once the deadline has
     * passed; the caller stops waiting at the deadline, so even an answer that trickles in a byte at a
     * time cannot hold it longer.
     */
    private Answer call(URI uri, Map<String, String> headers, Duration deadline,
                        java.util.function.Function<Invocation.Builder, Response> send) throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, deadline.toMillis()));
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        Invocation.Builder request;
        try {
            // timeouts on the request, not the target: a target with properties of its own gets a Jersey runtime
            // (and injection manager) of its own for every call
            request = client.target(uri).request().property(ClientProperties.CONNECT_TIMEOUT, millis)
                    .property(ClientProperties.READ_TIMEOUT, millis).header("User-Agent", "TokenRouter/0.1");
            headers.forEach(request::header);
        } catch (RuntimeException e) {
            throw new IOException("the request to " + hostOf(uri) + " could not be built");
        }
        Future<Answer> pending;
        try {
            pending = calls.submit(() -> {
                try (Response response = send.apply(request)) {
                    return new Answer(response.getStatus(), readBody(response, deadlineNanos));
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IOException("too many calls out of the gateway at once; " + hostOf(uri) + " was not called");
        }
        try {
            return pending.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new java.net.http.HttpTimeoutException("no complete answer from " + hostOf(uri) + " within " + millis + " ms");
        } catch (ExecutionException e) {
            throw failure(uri, e.getCause());
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private static byte[] readBody(Response response, long deadlineNanos) throws IOException {
        try (InputStream in = response.readEntity(InputStream.class)) {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; in != null && (n = in.read(buffer)) >= 0; ) {
                body.write(buffer, 0, n);
                if (body.size() > MAX_ANSWER_BYTES) {
                    throw new IOException("the answer is larger than " + MAX_ANSWER_BYTES + " bytes");
                }
                if (System.nanoTime() > deadlineNanos) {
                    throw new java.net.http.HttpTimeoutException("the answer did not arrive within the deadline");
                }
            }
            return body.toByteArray();
        } catch (ProcessingException e) {
            throw new IOException("the answer could not be read");
        }
    }

    /** An I/O failure described by its kind and the host only: never the request or its headers. */
    private static IOException failure(URI uri, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root != root.getCause()) {
            root = root.getCause();
        }
        String what;
        if (root instanceof java.net.ConnectException) {
            what = "connection refused";
        } else if (root instanceof java.net.SocketTimeoutException) {
            return new java.net.http.HttpTimeoutException("no answer from " + hostOf(uri) + " in time");
        } else if (root instanceof java.net.UnknownHostException) {
            what = "unknown host";
        } else if (root instanceof javax.net.ssl.SSLException) {
            what = "TLS failure";
        } else if (root instanceof IOException) {
            what = "I/O failure (" + root.getClass().getSimpleName() + ")";
        } else {
            what = "the request could not be sent (" + root.getClass().getSimpleName() + ")";
        }
        IOException e = new IOException(what + " calling " + hostOf(uri));
        return e;
    }

    private static String hostOf(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    @PreDestroy
    void close() {
        client.close();
        calls.shutdownNow();
    }
}
