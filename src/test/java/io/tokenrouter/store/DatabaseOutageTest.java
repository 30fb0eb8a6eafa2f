package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.testing.Waits;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An outage begins with the first failure that says the database is gone, not with a wrong statement or a
 * busy pool; while it lasts every call fails at once without trying, and the first probe that reaches the
 * database ends it. Both changes are told to the listener.
 */
class DatabaseOutageTest {

    private final AtomicBoolean reachable = new AtomicBoolean();
    private final List<DatabaseOutage.Change> changes = new CopyOnWriteArrayList<>();
    private final DatabaseOutage outage = new DatabaseOutage(reachable::get, changes::add);

    @Test
    void connectionFailuresBeginAnOutageAndStatementErrorsDoNot() {
        assertThat(DatabaseOutage.unreachable(new RuntimeException(new SQLException("refused", "08001")))).isTrue();
        assertThat(DatabaseOutage.unreachable(new SQLException("terminating connection due to administrator command", "57P01")))
                .isTrue();
        assertThat(DatabaseOutage.unreachable(new SQLException("the database system is starting up", "57P03"))).isTrue();
        assertThat(DatabaseOutage.unreachable(new IllegalStateException(new ConnectException("Connection refused")))).isTrue();
        assertThat(DatabaseOutage.unreachable(new SQLTransientConnectionException("timed out", null,
                new SQLException("refused", "08001")))).as("the pool's wait ran out while connections failed").isTrue();

        assertThat(DatabaseOutage.unreachable(new SQLTransientConnectionException("tokenrouter - Connection is not available,"
                + " request timed out after 2000ms (total=0, active=0, idle=0, waiting=1)"))).as("not one connection left").isTrue();
        assertThat(DatabaseOutage.unreachable(new SQLTransientConnectionException("tokenrouter - Connection is not available,"
                + " request timed out after 2000ms (total=16, active=16, idle=0, waiting=3)")))
                .as("every connection merely in use").isFalse();
        assertThat(DatabaseOutage.unreachable(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(DatabaseOutage.unreachable(new IllegalArgumentException("bad"))).isFalse();
        assertThat(outage.failed(new SQLException("syntax error", "42601"))).isNull();
        assertThat(outage.down()).isFalse();
    }

    @Test
    void duringAnOutageCallsFailAtOnceUntilAProbeReachesTheDatabase() throws Exception {
        DatabaseUnavailableException first = outage.failed(new SQLException("Connection refused", "08001"));
        assertThat(first).isNotNull().hasMessageContaining("Connection refused");
        assertThat(outage.down()).isTrue();
        assertThat(outage.since()).isNotNull();
        assertThat(outage.failed(new SQLException("again", "08006"))).as("one outage, not two").isNotNull();
        assertThat(outage.outages()).isEqualTo(1);

        long started = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThatThrownBy(outage::check).isInstanceOf(DatabaseUnavailableException.class);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a thousand refusals without trying")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(outage.refusedCalls()).isEqualTo(1000);

        Thread.sleep(DatabaseOutage.PROBE_EVERY.toMillis() * 2);
        assertThat(outage.down()).as("probes that fail keep it on").isTrue();
        reachable.set(true);
        Waits.await("the probe ends the outage", Duration.ofSeconds(10)).until(() -> !outage.down());
        outage.check();

        assertThat(changes).hasSize(2);
        assertThat(changes.get(0).ended()).isNull();
        assertThat(changes.get(0).cause()).contains("Connection refused");
        assertThat(changes.get(1).ended()).isNotNull();
        assertThat(changes.get(1).length()).isGreaterThanOrEqualTo(DatabaseOutage.PROBE_EVERY);
    }
}
