package io.tokenrouter.upstream;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The header timeouts of the calls waiting for an answer's head, on one timer that wakes when the earliest is
 * due: a task scheduled and cancelled per call woke the timer's thread for every request.
 */
final class HeaderTimeouts extends CyclicTimeouts<UpstreamCall> {

    private final Set<UpstreamCall> waiting = ConcurrentHashMap.newKeySet();

    HeaderTimeouts(Scheduler scheduler) {
        super(scheduler);
    }

    /** Watches {@code call} until its head arrives or it ends ({@link #done}). */
    void watch(UpstreamCall call) {
        waiting.add(call);
        schedule(call);
    }

    void done(UpstreamCall call) {
        waiting.remove(call);
    }

    @Override
    protected Iterator<UpstreamCall> iterator() {
        return waiting.iterator();
    }

    @Override
    protected boolean onExpired(UpstreamCall call) {
        call.headerTimeout();
        return true;
    }
}
