package io.tokenrouter.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Nodes that start together on a new database: what the configuration seeds is stored once, and none fails. */
class ClusterStartTest {

    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theStartupLockLetsOneNodeAtATimeSeed(Supplier<Database> opened) throws Exception {
        JobLocks locks = TestDatabases.jobLocks(opened.get());
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicBoolean secondInside = new AtomicBoolean();
        ExecutorService nodes = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = nodes.submit(() -> locks.exclusively("startup", () -> {
                firstInside.countDown();
                await(releaseFirst);
            }));
            assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> second = nodes.submit(() -> locks.exclusively("startup", () -> secondInside.set(true)));
            Thread.sleep(500);
            assertThat(secondInside).as("the second node waits while the first holds the lock").isFalse();
            releaseFirst.countDown();
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
            assertThat(secondInside).isTrue();
        } finally {
            nodes.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void twoNodesStartingTogetherStoreTheConfiguredAdminKeyOnce(Supplier<Database> opened) throws Exception {
        Database database = opened.get();
        ApiKeyRepository keys = TestDatabases.keys(database);
        JobLocks locks = TestDatabases.jobLocks(database);
        Map<String, String> config = Map.of("tokenrouter.home", "/nonexistent",
                "tokenrouter.admin_key", "tr-cluster-start-admin-key-0123456789");
        int nodes = 4;
        CyclicBarrier together = new CyclicBarrier(nodes);
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                SetupService access = new SetupService();
                access.settings = GatewaySettings.load(config, Map.of());
                access.keys = keys;
                access.lookup = new KeyLookup();
                access.audit = new AuditTrail(TestDatabases.events(database), TestDatabases.audit(database));
                started.add(pool.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    locks.exclusively("startup", access::start);
                    return null;
                }));
            }
            for (Future<?> node : started) {
                node.get(30, TimeUnit.SECONDS); // a node whose start failed throws here
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(keys.countUsableAdmins()).isEqualTo(1);
        assertThat(TestDatabases.audit(database).page(0, null, null, 10)).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo("system (admin_key)"))
                .satisfies(e -> assertThat(e.detail()).startsWith("Stored the configured admin key"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
