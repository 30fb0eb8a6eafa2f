package io.tokenrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Background work cannot pile up without bound, and stalled jobs cannot stop the watchdog (issue 8 item 7). */
class SchedulerTest {

    private final Scheduler scheduler = new Scheduler();

    @AfterEach
    void stop() {
        scheduler.stop();
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfGrowing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            assertThat(scheduler.later("blocker", () -> await(release))).isTrue();
        }
        int accepted = 0;
        for (int i = 0; i < Scheduler.QUEUE_CAPACITY + 50; i++) {
            if (scheduler.later("filler", () -> { })) {
                accepted++;
            }
        }
        release.countDown();

        assertThat(accepted).isEqualTo(Scheduler.QUEUE_CAPACITY);
        assertThat(scheduler.dropped()).isEqualTo(50);
    }

    @Test
    void theWatchdogTicksWhileJobsAndOutboundCallsAreStuck() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 4; i++) {
            scheduler.every(Duration.ofMillis(10), "stuck job", () -> await(release));
            scheduler.everyOutbound(Duration.ofMillis(10), "stuck call", () -> await(release));
        }
        AtomicInteger ticks = new AtomicInteger();
        CountDownLatch ticked = new CountDownLatch(5);
        scheduler.tick(Duration.ofMillis(20), "watchdog", () -> {
            ticks.incrementAndGet();
            ticked.countDown();
        });

        assertThat(ticked.await(5, TimeUnit.SECONDS)).isTrue();
        release.countDown();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
