package io.tokenrouter.config;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names the application's own threads {@code tokenrouter-<kind>-<n>}, as daemons, so a dump tells them apart. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    public static ThreadFactory named(String kind) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "tokenrouter-" + kind + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
