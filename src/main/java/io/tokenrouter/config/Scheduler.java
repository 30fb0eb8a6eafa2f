package io.tokenrouter.config;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The application's few background threads for periodic work (snapshot refresh, model discovery,
 * stream watchdogs), started with the application and stopped with it.
 */
@ApplicationScoped
public class Scheduler {

    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, new ThreadFactoryImpl());

    /** Runs {@code task} every {@code period}; a failing run is logged and the next one still happens. */
    public ScheduledFuture<?> every(Duration period, String name, Runnable task) {
        long millis = Math.max(10, period.toMillis());
        return executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Background task '" + name + "' failed", e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    public void later(Runnable task) {
        executor.execute(task);
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    private static final class ThreadFactoryImpl implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "tokenrouter-background-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
