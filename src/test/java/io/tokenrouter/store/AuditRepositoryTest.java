package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.store.AuditRepository.Entry;
import io.tokenrouter.store.AuditRepository.Verification;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chained audit trail on H2 and PostgreSQL: entries follow one another without gaps however many nodes append
 * at once, and an entry edited, removed, rewritten with a fresh hash or cut from the end is found where it is.
 */
class AuditRepositoryTest {

    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void entriesFollowOneAnotherAndVerify(Supplier<Database> db) throws Exception {
        Database database = db.get();
        AuditRepository audit = TestDatabases.audit(database);
        Instant at = Instant.parse("2026-12-07T10:15:30.123456789Z");

        Entry first = audit.append(at, "ops #1", "10.0.0.7", "change", "ok", "Created team 'research' #4");
        audit.append(at.plusSeconds(1), null, null, "cleanup", "ok", "Removed 2 expired keys");
        Entry third = audit.append(at.plusSeconds(2), null, "203.0.113.9", "sign-in", "refused", "Refused sign-in: bad key");

        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.prevHash()).isEqualTo(AuditRepository.ZERO_HASH);
        assertThat(first.time()).isEqualTo(Instant.parse("2026-12-07T10:15:30.123Z"));
        List<Entry> stored = audit.page(0, null, null, 10);
        assertThat(stored).as("what is read back is what was hashed").containsExactly(first, stored.get(1), third);
        assertThat(stored.get(1).actor()).isNull();
        for (int i = 0; i < stored.size(); i++) {
            Entry e = stored.get(i);
            assertThat(e.hash()).as("the documented recipe, computed apart").isEqualTo(recipe(e));
            assertThat(e.prevHash()).isEqualTo(i == 0 ? AuditRepository.ZERO_HASH : stored.get(i - 1).hash());
        }
        Verification verified = audit.verify(2);
        assertThat(verified.ok()).isTrue();
        assertThat(verified.entries()).isEqualTo(3);
        assertThat(verified.firstSeq()).isEqualTo(1);
        assertThat(verified.lastSeq()).isEqualTo(3);
        assertThat(verified.head()).isEqualTo(new AuditRepository.Head(3, third.hash()));
        assertThat(audit.page(0, first.time().plusSeconds(1), first.time().plusSeconds(2), 10)).extracting(Entry::seq).containsExactly(2L);
        assertThat(audit.page(1, null, null, 1)).extracting(Entry::seq).containsExactly(2L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void nodesAppendingAtOnceMakeOneChain(Supplier<Database> db) throws Exception {
        Database database = db.get();
        List<AuditRepository> nodes = List.of(TestDatabases.audit(database), TestDatabases.audit(database),
                TestDatabases.audit(database), TestDatabases.audit(database));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Void>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                AuditRepository node = nodes.get(t % nodes.size());
                String actor = "writer " + t;
                work.add(() -> {
                    for (int i = 0; i < 25; i++) {
                        node.append(Instant.now(), actor, "127.0.0.1", "change", "ok", "change " + i);
                    }
                    return null;
                });
            }
            for (Future<Void> done : pool.invokeAll(work)) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }

        Verification verified = nodes.get(0).verify(64);
        assertThat(verified.problem()).isNull();
        assertThat(verified.ok()).isTrue();
        assertThat(verified.entries()).isEqualTo(200);
        assertThat(verified.head().seq()).isEqualTo(200);
    }

    /** A walk sees the chain up to the head it read: entries written meanwhile are not a break. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void verifyingWhileEntriesAreWrittenFindsNoBreak(Supplier<Database> db) throws Exception {
        Database database = db.get();
        AuditRepository audit = TestDatabases.audit(database);
        audit.append(Instant.now(), "ops #1", null, "change", "ok", "first");
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> writing = writer.submit(() -> {
                for (int i = 0; i < 150; i++) {
                    audit.append(Instant.now(), "ops #1", null, "change", "ok", "change " + i);
                }
            });
            while (!writing.isDone()) {
                Verification verified = audit.verify(1);
                assertThat(verified.problem()).isNull();
                assertThat(verified.lastSeq()).isEqualTo(verified.head().seq());
            }
            writing.get();
        } finally {
            writer.shutdownNow();
        }
        assertThat(audit.verify(7).entries()).isEqualTo(151);
    }

    /** A node whose clock is behind still writes its entry after the one ahead of it, in time as in number. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void timesNeverGoBackwardsAndRangesAreRunsOfNumbers(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = TestDatabases.audit(database);
        Instant now = Instant.parse("2026-12-07T12:00:00Z");

        Entry ahead = audit.append(now.plusSeconds(10), "node a #1", null, "change", "ok", "from a fast clock");
        Entry behind = audit.append(now, "node b #2", null, "change", "ok", "from a slow clock");
        Entry later = audit.append(now.plusSeconds(20), "node b #2", null, "change", "ok", "later");

        assertThat(behind.time()).isEqualTo(ahead.time());
        assertThat(audit.page(0, null, now.plusSeconds(11), 10)).containsExactly(ahead, behind);
        assertThat(audit.page(0, now.plusSeconds(11), null, 10)).containsExactly(later);
        assertThat(audit.verify(10).ok()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anEntryWhoseChangeRolledBackLeavesNoTrace(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = TestDatabases.audit(database);
        Entry kept = audit.append(Instant.now(), "ops #1", null, "change", "ok", "kept");

        assertThatThrownBy(() -> database.inTransaction(em -> {
            audit.append(Instant.now(), "ops #1", null, "change", "ok", "rolled back");
            throw new IllegalStateException("the change failed");
        })).hasMessage("the change failed");

        assertThat(audit.head()).isEqualTo(new AuditRepository.Head(1, kept.hash()));
        assertThat(audit.append(Instant.now(), "ops #1", null, "change", "ok", "next").seq()).isEqualTo(2);
        assertThat(audit.verify(10).ok()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anEditedEntryIsFound(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = fiveEntries(database);

        sql(database, "update audit_log set detail = 'Created team ''harmless'' #4' where seq = 3");

        Verification verified = audit.verify(2);
        assertThat(verified.ok()).isFalse();
        assertThat(verified.brokenAt()).isEqualTo(3);
        assertThat(verified.entries()).isEqualTo(2);
        assertThat(verified.problem()).isEqualTo("entry 3 was changed after it was written");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void textMovedFromOneFieldToTheNextIsFound(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = TestDatabases.audit(database);
        audit.append(Instant.now(), "ops #12", "10.0.0.1", "change", "ok", "one");

        sql(database, "update audit_log set actor = 'ops #1', client_ip = '210.0.0.1' where seq = 1");

        assertThat(audit.verify(10).brokenAt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aRemovedEntryIsFound(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = fiveEntries(database);

        sql(database, "delete from audit_log where seq = 2");

        Verification verified = audit.verify(10);
        assertThat(verified.ok()).isFalse();
        assertThat(verified.brokenAt()).isEqualTo(3);
        assertThat(verified.problem()).isEqualTo("entry 2 is missing");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anEntryRewrittenWithAFreshHashBreaksTheNext(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = fiveEntries(database);
        Entry third = audit.page(2, null, null, 1).get(0);
        String forged = AuditRepository.hash(third.prevHash(), 3, third.time(), third.actor(), third.clientIp(),
                third.action(), third.outcome(), "nothing happened");

        sql(database, "update audit_log set detail = 'nothing happened', hash = '" + forged + "' where seq = 3");

        Verification verified = audit.verify(10);
        assertThat(verified.brokenAt()).isEqualTo(4);
        assertThat(verified.problem()).isEqualTo("entry 4 does not follow entry 3");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void entriesCutFromTheEndAreFound(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = fiveEntries(database);

        sql(database, "delete from audit_log where seq >= 4");

        Verification verified = audit.verify(10);
        assertThat(verified.ok()).isFalse();
        assertThat(verified.entries()).isEqualTo(3);
        assertThat(verified.brokenAt()).isEqualTo(4);
        assertThat(verified.problem()).isEqualTo("entries 4 to 5 are missing from the end");
    }

    /** NUL, a lone surrogate and a pair at the cut are stored as they were hashed, on both databases. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void textsAreStoredAsTheyWereHashed(Supplier<Database> db) {
        Database database = db.get();
        AuditRepository audit = TestDatabases.audit(database);
        String detail = "x".repeat(1999) + "\uD83D\uDE00 and more";

        Entry entry = audit.append(Instant.now(), "nul\0 and \uD800 lone", "::1", "change", "ok", detail);

        assertThat(entry.actor()).isEqualTo("nul? and ? lone");
        assertThat(entry.detail()).isEqualTo("x".repeat(1999));
        assertThat(audit.page(0, null, null, 1)).containsExactly(entry);
        assertThat(audit.verify(10).ok()).isTrue();
    }

    private static AuditRepository fiveEntries(Database database) {
        AuditRepository audit = TestDatabases.audit(database);
        Instant at = Instant.parse("2026-12-07T09:00:00Z");
        for (int i = 1; i <= 5; i++) {
            audit.append(at.plusSeconds(i), "ops #1", "10.0.0." + i, "change", "ok", "Created team 'team " + i + "' #" + i);
        }
        return audit;
    }

    private static void sql(Database database, String statement) {
        database.run(em -> em.createNativeQuery(statement).executeUpdate());
    }

    /** The hash as the README tells an auditor to compute it, written apart from the repository's own. */
    private static String recipe(Entry e) throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String field : new String[] {e.prevHash(), String.valueOf(e.seq()), e.time().toString(),
                e.actor() == null ? "" : e.actor(), e.clientIp() == null ? "" : e.clientIp(), e.action(), e.outcome(),
                e.detail()}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            data.writeBytes((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
            data.writeBytes(bytes);
            data.write('\n');
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data.toByteArray()));
    }
}
