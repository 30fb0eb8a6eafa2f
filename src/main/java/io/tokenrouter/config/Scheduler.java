package io.tokenrouter.config;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The application's background threads, kept apart by the kind of work so that one kind stalling cannot
 * stop another:
 * <ul>
 * <li>{@link #tick}: one thread for short, never-blocking sweeps (the stream watchdog);</li>
 * <li>{@link #heartbeat}: one thread for this node's heartbeat, which other nodes must see on time even
 * while long jobs run;</li>
 * <li>{@link #every}: two threads for periodic database jobs (refreshes, clean-ups, heartbeats);</li>
 * <li>{@link #everyOutbound}/{@link #outbound}: two threads for calls to providers and webhooks, each
 * call bounded by its own deadline;</li>
 * <li>{@link #later}: two threads with a bounded queue for one-off writes (events, captures); when the
 * queue is full the task is dropped, counted and logged, never queued without bound.</li>
 * </ul>
 * Started with the application and stopped with it.
 */
@ApplicationScoped
public class Scheduler {

    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());
    static final int QUEUE_CAPACITY = 10_000;

    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tick"));
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("heartbeat"));
    private final ScheduledExecutorService jobs = Executors.newScheduledThreadPool(2, DaemonThreads.named("job"));
    private final ScheduledExecutorService outbound = Executors.newScheduledThreadPool(2, DaemonThreads.named("outbound"));
    private final ThreadPoolExecutor work = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE_CAPACITY), DaemonThreads.named("work"), (task, pool) -> {
                throw new RejectedExecutionException();
            });
    private final AtomicLong dropped = new AtomicLong();

    /** Runs a short sweep that never blocks every {@code period}, on a thread of its own. */
    public ScheduledFuture<?> tick(Duration period, String name, Runnable task) {
        return schedule(ticks, period, name, task);
    }

    /** Runs {@code task}, which must not block, once after {@code delay} on the tick thread; cancelling the answer calls it off. */
    public ScheduledFuture<?> once(Duration delay, String name, Runnable task) {
        return ticks.schedule(guarded(name, task), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs this node's heartbeat every {@code period}, on a thread no other work uses. */
    public ScheduledFuture<?> heartbeat(Duration period, String name, Runnable task) {
        return schedule(heartbeats, period, name, task);
    }

    /** Runs a periodic database job every {@code period}; a failing run is logged and the next one still happens. */
    public ScheduledFuture<?> every(Duration period, String name, Runnable task) {
        return schedule(jobs, period, name, task);
    }

    /** Runs a periodic job that calls out of the gateway (providers, webhooks); every call in it must have a deadline. */
    public ScheduledFuture<?> everyOutbound(Duration period, String name, Runnable task) {
        return schedule(outbound, period, name, task);
    }

    /** Runs one call out of the gateway soon; every call in it must have a deadline. */
    public void outbound(String name, Runnable task) {
        outbound.execute(guarded(name, task));
    }

    /** Runs a one-off background write soon; false (and counted) when the queue is full and it was dropped. */
    public boolean later(String name, Runnable task) {
        try {
            work.execute(guarded(name, task));
            return true;
        } catch (RejectedExecutionException e) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.warning("Background queue full (" + QUEUE_CAPACITY + " tasks): dropped '" + name + "'; "
                        + dropped.get() + " dropped so far");
            }
            return false;
        }
    }

    /** Background tasks dropped because the queue was full, since start. */
    public long dropped() {
        return dropped.get();
    }

    @PreDestroy
    void stop() {
        ticks.shutdownNow();
        heartbeats.shutdownNow();
        jobs.shutdownNow();
        outbound.shutdownNow();
        work.shutdown();
        try {
            if (!work.awaitTermination(5, TimeUnit.SECONDS)) {
                work.shutdownNow();
            }
        } catch (InterruptedException e) {
            work.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ScheduledFuture<?> schedule(ScheduledExecutorService executor, Duration period, String name,
                                               Runnable task) {
        long millis = Math.max(10, period.toMillis());
        return executor.scheduleWithFixedDelay(guarded(name, task), millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * The task, with its failures logged: the first of a run of failures with its stack, then every hundredth as a
     * line (a task that fails each second while the database is down says so once, not each time), and the end
     * of the run once the task works again. The next run is the task's retry.
     */
    static Runnable guarded(String name, Runnable task) {
        int[] failures = new int[1];
        return () -> {
            try {
                task.run();
                if (failures[0] > 0) {
                    LOG.info("Background task '" + name + "' works again after " + failures[0] + " failed run(s)");
                    failures[0] = 0;
                }
            } catch (RuntimeException e) {
                int n = ++failures[0];
                if (n == 1) {
                    LOG.log(Level.WARNING, "Background task '" + name + "' failed", e);
                } else if (n % 100 == 0) {
                    LOG.warning("Background task '" + name + "' failed " + n + " times in a row; the last time: " + e);
                }
            }
        };
    }
}
