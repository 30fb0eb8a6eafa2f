package io.tokenrouter.upstream;

import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.CyclicTimeouts;

/**
 * One upstream exchange on Jetty's client, handed to a {@link Flow.Subscriber} of the answer's bytes
 * once its headers arrive. The subscriber gets each buffer in {@code onNext} and must consume (or copy)
 * it before returning: the buffer goes back to Jetty's pool afterwards. Demand is honoured chunk by
 * chunk, so a subscriber that stops requesting stops the upstream read (back-pressure to the
 * provider); {@link Flow.Subscription#cancel()} aborts the exchange and closes its connection.
 *
 * <p>Failures before the headers (refused, reset, no headers within the header timeout) go to
 * {@code failed}; once a subscriber exists, failures go to it alone.
 *
 * <p>A request the provider may have received is never sent again: that could generate (and bill) the
 * answer twice. So a connection that ends before the answer's head fails the exchange, whether it was new
 * or kept alive, and the client decides whether to try again. (Jetty watches its idle pooled connections
 * and drops one the provider closed, so only a close that crosses the request on the wire reaches here.)
 */
public final class UpstreamCall implements Response.Listener, Flow.Subscription, CyclicTimeouts.Expirable {

    /** What a subscriber learns of the answer's head: its status and a header lookup (first value, or null). */
    public record Head(int status, Function<String, String> header) {
    }

    private final Request request;
    private final Function<Head, Flow.Subscriber<List<ByteBuffer>>> subscriberFor;
    private final Consumer<Throwable> failed;
    private final Duration headerTimeout;
    private final HeaderTimeouts timeouts;
    private long headerDeadline = Long.MAX_VALUE;
    private Flow.Subscriber<List<ByteBuffer>> subscriber;
    private long demand;
    private Runnable pendingDemand;
    private volatile boolean cancelled;
    private volatile boolean headersArrived;

    private UpstreamCall(Request request, HeaderTimeouts timeouts, Duration headerTimeout,
            Function<Head, Flow.Subscriber<List<ByteBuffer>>> subscriberFor, Consumer<Throwable> failed) {
        this.request = request;
        this.timeouts = timeouts;
        this.headerTimeout = headerTimeout;
        this.subscriberFor = subscriberFor;
        this.failed = failed;
    }

    /** See {@link UpstreamHttp#post}. */
    static void send(Request request, HeaderTimeouts timeouts, Duration headerTimeout,
            Function<Head, Flow.Subscriber<List<ByteBuffer>>> subscriberFor, Consumer<Throwable> failed) {
        new UpstreamCall(request, timeouts, headerTimeout, subscriberFor, failed).start();
    }

    private void start() {
        // a backstop for a connection that goes silent mid-answer; the stream watchdog acts first
        request.idleTimeout(headerTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        headerDeadline = CyclicTimeouts.Expirable.calcExpireNanoTime(headerTimeout.toMillis());
        timeouts.watch(this);
        request.send(this);
    }

    /** When the header timeout is due; never once the head arrived. */
    @Override
    public long getExpireNanoTime() {
        return headersArrived ? Long.MAX_VALUE : headerDeadline;
    }

    void headerTimeout() {
        if (!headersArrived) {
            request.abort(new HttpTimeoutException("no answer within " + headerTimeout.toMillis() + " ms"));
        }
    }

    @Override
    public void onHeaders(Response response) {
        headersArrived = true;
        timeouts.done(this);
        var headers = response.getHeaders();
        Flow.Subscriber<List<ByteBuffer>> s = subscriberFor.apply(new Head(response.getStatus(), headers::get));
        synchronized (this) {
            subscriber = s;
        }
        s.onSubscribe(this);
    }

    @Override
    public void onContent(Response response, Content.Chunk chunk, Runnable demander) {
        Flow.Subscriber<List<ByteBuffer>> s;
        synchronized (this) {
            s = subscriber;
            demand--;
        }
        if (cancelled || s == null) {
            return;
        }
        s.onNext(List.of(chunk.getByteBuffer()));
        boolean more;
        synchronized (this) {
            more = demand > 0;
            if (!more) {
                pendingDemand = demander;
            }
        }
        if (more) {
            demander.run();
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            cancel();
            return;
        }
        Runnable demander;
        synchronized (this) {
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            demander = pendingDemand;
            pendingDemand = null;
        }
        if (demander != null && !cancelled) {
            demander.run();
        }
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            request.abort(new CancellationException("the gateway stopped reading this answer"));
        }
    }

    @Override
    public void onComplete(Result result) {
        finish(result.isFailed() ? result.getFailure() : null);
    }

    /** The exchange is over: {@code failure} (null when it succeeded) goes to whoever hears of it now. */
    private void finish(Throwable failure) {
        timeouts.done(this);
        Flow.Subscriber<List<ByteBuffer>> s;
        synchronized (this) {
            s = subscriber;
        }
        if (cancelled) {
            return;
        }
        if (s == null) {
            failed.accept(failure != null ? failure : new java.io.IOException("the answer had no headers"));
        } else if (failure != null) {
            s.onError(failure);
        } else {
            s.onComplete();
        }
    }
}
