package io.tokenrouter.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.DatabaseUnavailableException;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events while the database is unreachable: they wait in memory and in the spool of the journal directory, a
 * node that dies meanwhile stores them when it starts again with their own times, and none is stored twice.
 */
class EventLogOutageTest {

    /** The real repository behind a switch: while down, every store finds the database unreachable. */
    static final class Switchable extends EventRepository {
        final EventRepository real;
        /** Stores that succeed before the database goes down again (negative: it stays up). */
        final AtomicInteger upFor = new AtomicInteger(-1);

        Switchable(EventRepository real) {
            this.real = real;
        }

        void down() {
            upFor.set(0);
        }

        void up() {
            upFor.set(-1);
        }

        @Override
        public void store(Instant at, String level, String category, String actor, String message) {
            if (upFor.get() == 0 || upFor.get() > 0 && upFor.decrementAndGet() < 0) {
                throw new DatabaseUnavailableException("the database is down (test)", null);
            }
            real.store(at, level, category, actor, message);
        }
    }

    /** Runs "later" work at once. */
    static final class Inline extends Scheduler {
        @Override
        public boolean later(String name, Runnable task) {
            task.run();
            return true;
        }
    }

    /** A spool a kill cut short: one whole event, then part of the next. */
    private static final String WHOLE_THEN_CUT = "{\"at\":\"1970-01-01T00:16:40Z\",\"level\":\"info\",\"category\":\"config\",\"actor\":\"admin\",\"message\":\"whole\"}\n"
                        + "{\"at\":\"1970-01-01T00:16:40Z\",\"level\":\"in";

    @TempDir
    Path journal;
    private Database database;
    private Switchable repository;
    private Inline scheduler;

    @BeforeEach
    void open() {
        database = TestDatabases.h2();
        repository = new Switchable(TestDatabases.events(database));
        scheduler = new Inline();
    }

    @AfterEach
    void close() {
        TestDatabases.close(database);
    }

    private EventLog node(Instant at) {
        EventLog log = new EventLog(repository, scheduler);
        log.clock = Clock.fixed(at, ZoneOffset.UTC);
        log.spoolTo(journal);
        return log;
    }

    private List<String> stored() {
        return repository.real.search(null, null, null, 0, 100).items().stream()
                .map(e -> e.message() + "@" + e.createdAt().getEpochSecond()).sorted().toList();
    }

    @Test
    void eventsOfAnOutageAreOnDiskAndAStartAfterAKillStoresThemWithTheirOwnTimes() throws Exception {
        EventLog first = node(Instant.ofEpochSecond(1_000));
        repository.down();
        first.warn("config", "admin", "changed a while down");
        first.error("provider", "openai", "failed a while down");

        assertThat(first.waiting()).isEqualTo(2);
        assertThat(EventSpool.read(journal)).extracting(EventSpool.Event::message)
                .containsExactly("changed a while down", "failed a while down");
        assertThat(stored()).isEmpty();

        // the node is killed (its memory is gone); the next one starts after the database is back
        repository.up();
        EventLog next = node(Instant.ofEpochSecond(2_000));

        assertThat(stored()).containsExactly("changed a while down@1000", "failed a while down@1000");
        assertThat(next.waiting()).isZero();
        assertThat(journal.resolve(EventSpool.FILE)).doesNotExist();
    }

    @Test
    void eventsStoredWhenTheDatabaseIsBackLeaveNothingOnDisk() {
        EventLog log = node(Instant.ofEpochSecond(1_000));
        repository.down();
        log.info("config", "admin", "one");
        log.info("config", "admin", "two");
        repository.up();
        log.flushWaiting();

        assertThat(stored()).containsExactly("one@1000", "two@1000");
        assertThat(journal.resolve(EventSpool.FILE)).doesNotExist();
        log.info("config", "admin", "three");
        assertThat(stored()).hasSize(3);
        assertThat(journal.resolve(EventSpool.FILE)).doesNotExist();
    }

    @Test
    void anOutageThatReturnsHalfwayThroughTheStoringStoresNoEventTwice() throws Exception {
        EventLog first = node(Instant.ofEpochSecond(1_000));
        repository.down();
        first.info("config", "admin", "a");
        first.info("config", "admin", "b");
        first.info("config", "admin", "c");
        repository.upFor.set(1); // back for one event, then down again
        first.info("config", "admin", "d");

        assertThat(stored()).containsExactly("a@1000");
        assertThat(EventSpool.read(journal)).extracting(EventSpool.Event::message).containsExactly("b", "c", "d");

        repository.up();
        node(Instant.ofEpochSecond(2_000)); // a restart: what the spool holds is stored once

        assertThat(stored()).containsExactly("a@1000", "b@1000", "c@1000", "d@1000");
        assertThat(Files.exists(journal.resolve(EventSpool.FILE))).isFalse();
    }

    @Test
    void aLineCutShortByAKillEndsTheSpool() throws Exception {
        Files.writeString(journal.resolve(EventSpool.FILE), WHOLE_THEN_CUT);

        node(Instant.ofEpochSecond(2_000));

        assertThat(stored()).containsExactly("whole@1000");
        assertThat(journal.resolve(EventSpool.FILE)).doesNotExist();
    }

    @Test
    void eventsAfterALineCutShortAreNotWrittenOntoItAndSurviveTheNextStart() throws Exception {
        Files.writeString(journal.resolve(EventSpool.FILE), WHOLE_THEN_CUT);
        repository.down();
        EventLog started = node(Instant.ofEpochSecond(2_000));
        started.info("config", "admin", "after the cut");

        assertThat(EventSpool.read(journal)).extracting(EventSpool.Event::message).containsExactly("whole", "after the cut");
        repository.up();
        node(Instant.ofEpochSecond(3_000));
        assertThat(stored()).containsExactly("after the cut@2000", "whole@1000");
    }

    @Test
    void aCharacterCutInTwoEndsTheSpoolWithoutDisablingIt() throws Exception {
        byte[] whole = ("{\"at\":\"1970-01-01T00:16:40Z\",\"level\":\"info\",\"category\":\"config\",\"actor\":\"admin\","
                + "\"message\":\"log_retention 30d \u2192 90d\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] cut = "{\"at\":\"1970-01-01T00:16:40Z\",\"message\":\"\u2192".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] file = java.util.Arrays.copyOf(whole, whole.length + cut.length - 1);
        System.arraycopy(cut, 0, file, whole.length, cut.length - 1); // the arrow's last byte is missing
        Files.write(journal.resolve(EventSpool.FILE), file);

        node(Instant.ofEpochSecond(2_000));

        assertThat(stored()).containsExactly("log_retention 30d \u2192 90d@1000");
        assertThat(journal.resolve(EventSpool.FILE)).doesNotExist();
    }

    @Test
    void aLongBacklogLeavesTheSpoolAsItIsStored() throws Exception {
        EventLog log = node(Instant.ofEpochSecond(1_000));
        repository.down();
        for (int i = 0; i < 250; i++) {
            log.info("config", "admin", "event " + i);
        }
        assertThat(EventSpool.read(journal)).hasSize(250);
        repository.upFor.set(160); // back for 160 events, then down again: a kill now must not store those twice
        log.flushWaiting();

        List<EventSpool.Event> left = EventSpool.read(journal);
        assertThat(left).hasSize(90);
        assertThat(left.get(0).message()).isEqualTo("event 160");
    }
}
