package io.tokenrouter.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.DatabaseUnavailableException;
import io.tokenrouter.store.Metric;
import io.tokenrouter.store.OwnerType;
import io.tokenrouter.store.Period;
import io.tokenrouter.store.Quota;
import io.tokenrouter.store.QuotaRepository;
import io.tokenrouter.store.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quotas while the database is unreachable: the node's allowance keeps serving past its age and never beyond
 * what it holds; once it is used up a request is refused at once with 503 quota_unavailable, unless the limit
 * has an outage credit, which serves at most that much more on this node, and is counted in the limit's
 * counter once the database is back.
 */
class QuotaOutageTest {

    /** The real repository, with a switch that makes every quota transaction find the database down. */
    static final class Switchable extends QuotaRepository {
        final AtomicBoolean down = new AtomicBoolean();

        private void check() {
            if (down.get()) {
                throw new DatabaseUnavailableException("the database is down (test)", null);
            }
        }

        @Override
        public boolean unreachable() {
            return down.get();
        }

        @Override
        public Block takeBlock(long holdId, String nodeId, List<Long> ids, Amounts ask, int fraction, long maxRequests,
                               Instant now, Windows windows) {
            check();
            return super.takeBlock(holdId, nodeId, ids, ask, fraction, maxRequests, now, windows);
        }

        @Override
        public ReserveOutcome reserveAll(long holdId, String nodeId, List<Long> keyIds, Long teamId, Amounts ask,
                                         Predicate<Quota> applies, Function<Quota, Instant> windowStart, Instant now) {
            check();
            return super.reserveAll(holdId, nodeId, keyIds, teamId, ask, applies, windowStart, now);
        }

        @Override
        public void resize(long holdId, List<Long> ids, Amounts held, Amounts keep, Amounts used) {
            check();
            super.resize(holdId, ids, held, keep, used);
        }
    }

    private Database database;
    private Switchable quotas;
    private QuotaGate gate;
    private long key = 70_000;

    @BeforeEach
    void open() {
        database = TestDatabases.h2();
        quotas = TestDatabases.quotas(database, new Switchable());
        gate = new QuotaGate(quotas, TestDatabases.node(database));
    }

    @AfterEach
    void close() {
        TestDatabases.close(database);
    }

    private QuotaSubject subject(long requests, long credit) {
        key++;
        Quota row = new Quota(OwnerType.KEY, key, Metric.REQUESTS, Period.DAY, requests);
        row.setOutageCredit(credit);
        quotas.replaceForOwner(OwnerType.KEY, key, List.of(row));
        Quota stored = quotas.findByOwner(OwnerType.KEY, key).get(0);
        List<QuotaSubject.OutageCredit> credits = credit == 0 ? List.of()
                : List.of(new QuotaSubject.OutageCredit(stored.getId(), Metric.REQUESTS, Period.DAY, credit));
        return new QuotaSubject(List.of(key), Map.of(key, "k" + key), null, null, List.of(stored.getId()),
                java.util.Set.of(), credits);
    }

    /** Serves requests until one is refused; answers the refusal, with what was served. */
    private GatewayException serveUntilRefused(QuotaSubject subject, List<Reservation> served) {
        for (int i = 0; i < 10_000; i++) {
            try {
                served.add(gate.reserve(subject, 10));
            } catch (GatewayException refused) {
                return refused;
            }
        }
        throw new AssertionError("never refused");
    }

    private long used(QuotaSubject subject) {
        return quotas.findByOwner(OwnerType.KEY, subject.keyChain().get(0)).get(0).getUsed();
    }

    @Test
    void theAllowanceServesWithinWhatItHoldsThenAFast503AndTheCountIsExactAfterwards() throws Exception {
        QuotaSubject subject = subject(10_000, 0);
        List<Reservation> served = new ArrayList<>();
        served.add(gate.reserve(subject, 10)); // takes an allowance: 1/8 of 10,000, at most 1,000
        quotas.down.set(true);
        Thread.sleep(QuotaGate.ALLOWANCE_AGE.toMillis() + 200);
        gate.flushAllowances(false); // what the reclaimer does each second: the allowance is not aged out

        GatewayException refused = serveUntilRefused(subject, served);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.code()).isEqualTo("quota_unavailable");
        assertThat(refused.retryAfter()).isNotNull();
        assertThat(served).as("the allowance's block (at most 1,000 requests), no more").hasSize(1000);
        served.forEach(r -> gate.settle(r, true, 10));

        quotas.down.set(false);
        gate.flushAllowances(true);
        assertThat(used(subject)).as("what was served, counted once").isEqualTo(1000);
        assertThat(gate.reserve(subject, 10)).as("served again").isNotNull();
    }

    @Test
    void anAllowanceRetiredJustAsTheDatabaseWentAwayServesAgainWithinItsHold() {
        QuotaSubject subject = subject(10_000, 0);
        List<Reservation> served = new ArrayList<>();
        served.add(gate.reserve(subject, 10));
        quotas.down.set(true);
        gate.flushAllowances(true); // retired, and its flush failed: the hold is still taken in the database

        assertThat(serveUntilRefused(subject, served).code()).isEqualTo("quota_unavailable");
        assertThat(served).hasSize(1000);
        served.forEach(r -> gate.settle(r, true, 10));
        quotas.down.set(false);
        gate.flushAllowances(true);
        assertThat(used(subject)).isEqualTo(1000);
    }

    @Test
    void anOutageCreditServesThatMuchMoreOnThisNodeAndIsCountedOnceTheDatabaseIsBack() {
        QuotaSubject subject = subject(16, 5);
        List<Reservation> served = new ArrayList<>();
        served.add(gate.reserve(subject, 10)); // a block of 2 (1/8 of 16)
        quotas.down.set(true);

        assertThat(serveUntilRefused(subject, served).code()).isEqualTo("quota_unavailable");
        assertThat(served).as("the block of 2, then the credit of 5").hasSize(2 + 5);
        served.forEach(r -> gate.settle(r, true, 10));

        quotas.down.set(false);
        gate.flushAllowances(true);
        assertThat(used(subject)).as("the overspend is counted").isEqualTo(7);
        served.clear();
        GatewayException later = serveUntilRefused(subject, served);
        assertThat(later.status()).isEqualTo(429);
        assertThat(served).as("the rest of the limit after the outage").hasSize(16 - 7);
    }
}
