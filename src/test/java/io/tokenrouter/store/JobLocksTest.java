package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Job leases by the clock: one node at a time until the lease runs out, then the next. */
class JobLocksTest {

    private final Database database = TestDatabases.h2();
    private final TestClock clock = new TestClock();

    @AfterEach
    void close() {
        TestDatabases.close(database);
    }

    @Test
    void aLeaseIsOneNodesUntilItRunsOut() {
        JobLocks first = TestDatabases.jobLocks(database);
        JobLocks second = TestDatabases.jobLocks(database);
        first.clock = clock;
        second.clock = clock;
        String job = "retention";

        assertThat(first.tryAcquire(job, "node-a", Duration.ofMinutes(5))).isTrue();
        assertThat(second.tryAcquire(job, "node-b", Duration.ofMinutes(5))).isFalse();
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(second.tryAcquire(job, "node-b", Duration.ofMinutes(5))).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(second.tryAcquire(job, "node-b", Duration.ofMinutes(5))).isTrue();
        assertThat(first.tryAcquire(job, "node-a", Duration.ofMinutes(5))).isFalse();
    }
}
