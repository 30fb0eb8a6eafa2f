package io.tokenrouter.proxy;

import io.tokenrouter.config.DaemonThreads;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that write answers to clients, kept apart from the upstream client's threads: a client
 * that stops reading blocks one of these (until the container's write timeout gives up on it), never
 * the threads that read every other upstream answer. Each relay writes through its own
 * {@link #serial() serial} lane, so its events keep their order, and asks its upstream for more only
 * after its last bytes were written, so a slow client slows its own upstream and memory stays bounded.
 */
@ApplicationScoped
public class ClientWrites {

    private static final Logger LOG = Logger.getLogger(ClientWrites.class.getName());
    /** How many clients may be blocked in a write at once before other clients' writes wait for a thread. */
    static final int THREADS = 64;

    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), DaemonThreads.named("client-write"));

    public ClientWrites() {
        pool.allowCoreThreadTimeOut(true);
    }

    /** A lane that runs its tasks one after another, in order, on the writing threads. */
    public Executor serial() {
        return new Serial(pool);
    }

    /** Threads busy writing right now (a gauge for metrics and tests). */
    public int busy() {
        return pool.getActiveCount();
    }

    @PreDestroy
    void close() {
        pool.shutdown();
    }

    private static final class Serial implements Executor {
        private final Executor pool;
        private final Queue<Runnable> tasks = new ArrayDeque<>();
        private boolean draining;

        Serial(Executor pool) {
            this.pool = pool;
        }

        /**
         * Queues {@code task}; the lane's thread is started outside the lock, so the thread it wakes does
         * not find the lock held by the caller (on few CPUs it would run first and wait for the caller).
         */
        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                tasks.add(task);
                if (draining) {
                    return;
                }
                draining = true;
            }
            pool.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = tasks.poll();
                    if (next == null) {
                        draining = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "A write to a client failed unexpectedly", e);
                }
            }
        }
    }
}
