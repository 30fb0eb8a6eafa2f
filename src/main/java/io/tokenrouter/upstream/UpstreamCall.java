package io.tokenrouter.upstream;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Scheduler;

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
 * <p>One failure is not the provider's answer but the pool's: a kept-alive connection the provider
 * closed (its idle timeout, a restart) just as this request was put on it. When a connection ends
 * before a byte of the answer and either it had carried an earlier exchange or the request was not
 * completely written, the request is built again and sent once more on a new connection of its own,
 * within the same header timeout. A failure on that connection, or on a first connection the whole
 * request went out on, is final.
 */
public final class UpstreamCall implements Response.Listener, Flow.Subscription {

    /** What a subscriber learns of the answer's head: its status and a header lookup (first value, or null). */
    public record Head(int status, Function<String, String> header) {
    }

    private static final Logger LOG = Logger.getLogger(UpstreamCall.class.getName());

    private final HttpClient client;
    private final Supplier<Request> build;
    /** The request on the wire: the first, or the one sent again on a new connection. */
    private volatile Request request;
    private volatile boolean resent;
    /** The new connection of a request sent again; closed when its exchange completes. */
    private volatile Connection ownConnection;
    private final Function<Head, Flow.Subscriber<List<ByteBuffer>>> subscriberFor;
    private final Consumer<Throwable> failed;
    private final Duration headerTimeout;
    private Scheduler.Task headerTimer;
    private Flow.Subscriber<List<ByteBuffer>> subscriber;
    private long demand;
    private Runnable pendingDemand;
    private volatile boolean cancelled;
    private volatile boolean headersArrived;

    private UpstreamCall(HttpClient client, Supplier<Request> build, Duration headerTimeout,
            Function<Head, Flow.Subscriber<List<ByteBuffer>>> subscriberFor, Consumer<Throwable> failed) {
        this.client = client;
        this.build = build;
        this.headerTimeout = headerTimeout;
        this.subscriberFor = subscriberFor;
        this.failed = failed;
    }

    /** See {@link UpstreamHttp#post}: {@code build} makes the request, again for a resend. */
    static void send(HttpClient client, Supplier<Request> build, Scheduler scheduler, Duration headerTimeout,
            Function<Head, Flow.Subscriber<List<ByteBuffer>>> subscriberFor, Consumer<Throwable> failed) {
        new UpstreamCall(client, build, headerTimeout, subscriberFor, failed).start(scheduler);
    }

    private void start(Scheduler scheduler) {
        Request first = prepare();
        headerTimer = scheduler.schedule(this::headerTimeout, headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
        first.send(this);
    }

    private Request prepare() {
        Request next = build.get();
        // a backstop for a connection that goes silent mid-answer; the stream watchdog acts first
        next.idleTimeout(headerTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        request = next;
        return next;
    }

    private void headerTimeout() {
        if (!headersArrived) {
            request.abort(new HttpTimeoutException("no answer within " + headerTimeout.toMillis() + " ms"));
        }
    }

    /** Sends the request again on a connection of its own (see the class comment). */
    private void resend(Throwable why) {
        resent = true;
        Request again = prepare();
        LOG.log(Level.FINE, () -> "Sending " + again.getURI() + " again on a new connection: the pooled one ended before"
                + " an answer (" + why + ")");
        client.resolveDestination(again).newConnection(Promise.from(connection -> {
            ownConnection = connection;
            if (cancelled) {
                finish(new CancellationException("the gateway stopped reading this answer"));
            } else {
                connection.send(again, this);
            }
        }, this::finish));
    }

    /**
     * Whether a failure before the head is the provider closing a connection this request should not
     * have been put on: the connection ended (end of input, reset, closed) after carrying an earlier
     * exchange, or before the request was completely written.
     */
    static boolean connectionWentStale(Result result) {
        Throwable failure = result.getFailure();
        boolean ended = failure instanceof EOFException || failure instanceof ClosedChannelException
                || (failure instanceof SocketException && !(failure instanceof ConnectException)
                        && !(failure instanceof NoRouteToHostException));
        Connection connection = result.getRequest().getConnection();
        if (!ended || connection == null) {
            return false;
        }
        boolean reused = connection instanceof org.eclipse.jetty.io.Connection io && io.getMessagesOut() > 1;
        return reused || result.getRequestFailure() != null;
    }

    @Override
    public void onHeaders(Response response) {
        headersArrived = true;
        Scheduler.Task timer = headerTimer;
        if (timer != null) {
            timer.cancel();
        }
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
        if (result.isFailed() && !headersArrived && !cancelled && !resent && connectionWentStale(result)) {
            resend(result.getFailure());
            return;
        }
        finish(result.isFailed() ? result.getFailure() : null);
    }

    /** The exchange is over: {@code failure} (null when it succeeded) goes to whoever hears of it now. */
    private void finish(Throwable failure) {
        Scheduler.Task timer = headerTimer;
        if (timer != null) {
            timer.cancel();
        }
        Connection own = ownConnection;
        if (own != null) {
            own.close();
        }
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
