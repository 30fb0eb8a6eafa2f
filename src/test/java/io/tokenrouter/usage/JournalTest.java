package io.tokenrouter.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.store.LogRow;
import io.tokenrouter.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on disk: rows read back as they were written, a segment deleted once its rows are stored (kept
 * as {@code .failed} when some could not be), a line cut short by a killed process ends its segment, and a
 * second gateway with the same home takes a directory of its own.
 */
class JournalTest {

    @TempDir
    Path home;

    private static Journal.Line line(String id) {
        return new Journal.Line(new LogRow(id, Instant.parse("2026-03-10T10:00:00Z"), 1L, "alice", 10L, "openai", "gpt-4o",
                "gpt-4o-2024-08-06", "chat.completions", 200, true, "ok", 100, 20, 5, 3, false, 250, 40L, 33.5,
                "10.0.0.1", "OpenAI/Python 1.51.0", "openai-python", null, null, "up-" + id, 450, "[{\"a\":1}]"), "research");
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> all = Files.list(home.resolve("journal"))) {
            return all.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    @Test
    void rowsComeBackAsWrittenAndAStoredSegmentIsDeleted() throws Exception {
        try (Journal journal = Journal.open(home.resolve("journal"))) {
            Journal.Segment first = journal.append(List.of(line("a"), line("b")), false);
            Journal.Segment second = journal.append(List.of(line("c")), true);
            assertThat(second).isNotSameAs(first);
            assertThat(Journal.read(first)).containsExactly(line("a"), line("b"));
            assertThat(journal.pendingRows()).isEqualTo(3);
            assertThat(journal.bytes()).isEqualTo(Files.size(first.path) + Files.size(second.path));

            journal.stored(first, 2, 0);
            assertThat(first.path).as("closed and stored").doesNotExist();
            journal.stored(second, 1, 0);
            assertThat(second.path).as("still the one written to").exists();
            journal.closeIfStored();
            assertThat(second.path).doesNotExist();
            assertThat(journal.pendingRows()).isZero();
            assertThat(journal.oldest()).isNull();
        }
    }

    /** Under a steady load the segment written to is never older than SEGMENT_AGE, so the journal's lag is honest. */
    @Test
    void aSegmentTakesNoRowsOnceItIsOldAndTheOldestSaysHowLongRowsWait() throws Exception {
        TestClock clock = new TestClock();
        try (Journal journal = Journal.open(home.resolve("journal"), clock)) {
            Journal.Segment first = journal.append(List.of(line("a")), false);
            journal.stored(first, 1, 0);
            assertThat(journal.oldest()).as("every row stored").isNull();
            clock.advance(Journal.SEGMENT_AGE.minusMillis(1));
            assertThat(journal.append(List.of(line("a2")), false)).as("not old yet").isSameAs(first);
            journal.stored(first, 1, 0);
            clock.advance(Duration.ofMillis(1));
            Journal.Segment second = journal.append(List.of(line("b")), false);
            assertThat(second).as("a new segment once the first is old").isNotSameAs(first);
            assertThat(first.path).as("closed, and every row in it stored").doesNotExist();
            assertThat(journal.oldest()).isEqualTo(second.opened);
        }
    }

    @Test
    void aSegmentWithRowsThatCouldNotBeStoredIsKeptBesideTheJournal() throws Exception {
        try (Journal journal = Journal.open(home.resolve("journal"))) {
            Journal.Segment segment = journal.append(List.of(line("a"), line("b")), false);
            journal.append(List.of(line("c")), true);
            journal.stored(segment, 1, 1);
            assertThat(segment.path).doesNotExist();
            assertThat(segment.path.resolveSibling(segment.path.getFileName() + ".failed")).exists();
        }
    }

    @Test
    void aLineCutShortEndsItsSegmentAndTheNextOpenReadsTheRest() throws Exception {
        Path file;
        try (Journal journal = Journal.open(home.resolve("journal"))) {
            file = journal.append(List.of(line("a"), line("b")), false).path;
        }
        Files.writeString(file, "{\"row\":{\"requestId\":\"cut", StandardOpenOption.APPEND);
        try (Journal again = Journal.open(home.resolve("journal"))) {
            List<Journal.Segment> left = again.toReplay();
            assertThat(left).hasSize(1);
            assertThat(Journal.read(left.get(0))).containsExactly(line("a"), line("b"));
            again.replayed(left.get(0), 0);
            assertThat(files()).isEmpty();
            assertThat(again.append(List.of(line("d")), false).path.getFileName().toString())
                    .as("numbering goes on past what was left").isEqualTo("segment-000001.jsonl");
        }
    }

    @Test
    void aSecondGatewayWithTheSameHomeTakesADirectoryOfItsOwn() throws Exception {
        try (Journal first = Journal.open(home.resolve("journal")); Journal second = Journal.open(home.resolve("journal"))) {
            assertThat(first.dir()).isEqualTo(home.resolve("journal"));
            assertThat(second.dir()).isEqualTo(home.resolve("journal-1"));
        }
    }
}
