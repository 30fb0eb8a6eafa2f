package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client's lane runs its writes one at a time and in the order they were queued, whichever threads
 * queue them and however the pool's threads are scheduled; lanes do not wait for each other.
 */
class ClientWritesTest {

    private final ClientWrites writes = new ClientWrites();

    @AfterEach
    void close() {
        writes.close();
    }

    @Test
    void aLaneRunsItsTasksOneAtATimeInTheOrderTheyWereQueued() throws InterruptedException {
        Executor lane = writes.serial();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int tasks = 20_000;
        CountDownLatch done = new CountDownLatch(tasks);
        // one queuing thread at a time hands over to the next, as the upstream, writer and client-write
        // threads hand one exchange's writes to each other
        Thread[] queuers = new Thread[4];
        CountDownLatch[] turn = new CountDownLatch[tasks + 1];
        for (int i = 0; i <= tasks; i++) {
            turn[i] = new CountDownLatch(1);
        }
        turn[0].countDown();
        for (int q = 0; q < queuers.length; q++) {
            int first = q;
            queuers[q] = new Thread(() -> {
                for (int i = first; i < tasks; i += queuers.length) {
                    int n = i;
                    try {
                        turn[n].await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    lane.execute(() -> {
                        if (running.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        ran.add(n);
                        running.decrementAndGet();
                        done.countDown();
                    });
                    turn[n + 1].countDown();
                }
            });
            queuers[q].start();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(overlaps).hasValue(0);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            expected.add(i);
        }
        assertThat(ran).isEqualTo(expected);
    }

    @Test
    void aBlockedLaneDoesNotHoldUpAnother() throws InterruptedException {
        Executor stuck = writes.serial();
        Executor other = writes.serial();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch otherRan = new CountDownLatch(1);
        stuck.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.execute(otherRan::countDown);
        try {
            assertThat(otherRan.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheLane() throws InterruptedException {
        Executor lane = writes.serial();
        CountDownLatch after = new CountDownLatch(1);
        lane.execute(() -> {
            throw new IllegalStateException("the client went away");
        });
        lane.execute(after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }
}
