package io.tokenrouter.usage;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.tokenrouter.api.Json;
import io.tokenrouter.store.LogRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The node's journal of request-log rows not yet stored in the database: numbered segment files of JSON lines
 * ({@code segment-000042.jsonl}) in a directory this node holds locked. {@link #append} writes a whole batch
 * with one {@code write}, so once it returns the rows survive the gateway process being killed (they are in
 * the operating system's page cache; a crash of the machine itself can lose the last of them). A segment is
 * deleted once every row in it is stored; a segment left by an earlier run is read back with {@link #read}.
 *
 * <p>Two gateways on one machine with the same home each take a directory of their own: the first that is
 * not locked of {@code journal}, {@code journal-1}, … {@code journal-15}; a directory left by a node that
 * died is shipped by the next node that takes it.
 */
final class Journal implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    /** A segment takes no more rows past this size. */
    static final long SEGMENT_BYTES = 8L << 20;
    /**
     * Nor once it is this old: so the oldest segment with rows not yet stored says how long the database has
     * kept rows waiting ({@link #oldest}), within this much, under a steady load as after a burst.
     */
    static final Duration SEGMENT_AGE = Duration.ofSeconds(5);
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".jsonl";
    private static final ObjectWriter WRITER = Json.MAPPER.writerFor(Line.class);
    private static final ObjectReader READER = Json.MAPPER.readerFor(Line.class);

    /** One journaled row and the name of its key's team (for the team aggregates). */
    record Line(LogRow row, String teamName) {
    }

    private final Path dir;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Every segment on disk, oldest first. */
    private final ConcurrentLinkedDeque<Segment> segments = new ConcurrentLinkedDeque<>();
    private final AtomicLong bytes = new AtomicLong();
    private long nextSeq;
    /** The segment appended to (the writer's alone). */
    private Segment current;
    private FileChannel out;

    private Journal(Path dir, FileChannel lockChannel, FileLock lock, Clock clock) throws IOException {
        this.dir = dir;
        this.clock = clock;
        this.lockChannel = lockChannel;
        this.lock = lock;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(PREFIX)
                    && f.getFileName().toString().endsWith(SUFFIX)).sorted(Comparator.comparingLong(Journal::seqOf)).toList()) {
                Segment left = new Segment(file, seqOf(file), Files.getLastModifiedTime(file).toInstant());
                left.closed = true;
                left.spilled = true;
                left.bytes.set(Files.size(file));
                bytes.addAndGet(left.bytes.get());
                segments.add(left);
                nextSeq = Math.max(nextSeq, left.seq + 1);
            }
        }
    }

    /** Opens the first of {@code base}, {@code base-1}, … that no other gateway process holds. */
    static Journal open(Path base) {
        return open(base, Clock.systemUTC());
    }

    /** {@link #open(Path)}, with the clock that dates segments and says when one is old (tests move it). */
    static Journal open(Path base, Clock clock) {
        IOException last = null;
        for (int i = 0; i < 16; i++) {
            Path dir = i == 0 ? base : base.resolveSibling(base.getFileName() + "-" + i);
            try {
                Files.createDirectories(dir);
                FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException held) {
                    lock = null; // this JVM holds it (a second deployment of the gateway)
                }
                if (lock == null) {
                    channel.close();
                    continue;
                }
                return new Journal(dir, channel, lock, clock);
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("No journal directory could be taken at " + base + " (or -1 … -15)",
                last == null ? new IOException("all are held by other gateway processes") : last);
    }

    Path dir() {
        return dir;
    }

    /** Segments left on disk by an earlier run, or given up by the memory path: to be read back and stored. */
    List<Segment> toReplay() {
        return segments.stream().filter(s -> s.closed && s.spilled && !s.replayed).toList();
    }

    /**
     * Writes the lines with one {@code write} to the current segment (a new one when it is full, or when
     * {@code fresh} asks for one) and answers that segment, which now counts them as written.
     */
    Segment append(List<Line> lines, boolean fresh) throws IOException {
        Buffer buffer = new Buffer(lines.size() * 700);
        for (Line line : lines) {
            WRITER.writeValue(buffer, line); // the writer closes nothing: ByteArrayOutputStream
            buffer.write('\n');
        }
        if (current == null || fresh || current.bytes.get() >= SEGMENT_BYTES
                || !clock.instant().isBefore(current.opened.plus(SEGMENT_AGE))) {
            rotate();
        }
        ByteBuffer data = buffer.bytes();
        while (data.hasRemaining()) {
            out.write(data);
        }
        current.bytes.addAndGet(buffer.size());
        bytes.addAndGet(buffer.size());
        current.written.addAndGet(lines.size());
        return current;
    }

    /** Closes the current segment when every row in it is stored (an idle node's last segment goes too). */
    void closeIfStored() throws IOException {
        if (current != null && current.written.get() > 0 && current.allStored()) {
            rotate();
        }
    }

    private void rotate() throws IOException {
        if (current != null) {
            out.close();
            current.closed = true;
            settled(current);
        }
        Path file = dir.resolve(PREFIX + String.format("%06d", nextSeq) + SUFFIX);
        current = new Segment(file, nextSeq++, clock.instant());
        out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segments.add(current);
    }

    /**
     * Rows of {@code segment} were stored ({@code failed} of them could not be and never will): a closed segment
     * whose rows are all accounted for is deleted, or kept as {@code .failed} beside the journal if any failed.
     */
    void stored(Segment segment, int rows, int failed) {
        segment.stored.addAndGet(rows);
        segment.failed.addAndGet(failed);
        settled(segment);
    }

    /** A segment read back from disk is stored whole. */
    void replayed(Segment segment, int failed) {
        segment.failed.addAndGet(failed);
        segment.replayed = true;
        settled(segment);
    }

    private void settled(Segment segment) {
        boolean done = segment.closed && (segment.spilled ? segment.replayed : segment.allStored());
        if (!done || !segments.remove(segment)) {
            return;
        }
        bytes.addAndGet(-segment.bytes.get());
        try {
            if (segment.failed.get() > 0) {
                Path kept = segment.path.resolveSibling(segment.path.getFileName() + ".failed");
                Files.move(segment.path, kept, StandardCopyOption.REPLACE_EXISTING);
                LOG.severe(segment.failed.get() + " request-log rows could not be stored; they are kept in " + kept);
            } else {
                Files.deleteIfExists(segment.path);
            }
        } catch (IOException e) {
            LOG.warning("Could not remove journal segment " + segment.path + ": " + e);
        }
    }

    /** Reads a segment's rows; a line cut short (the process died while writing it) ends the segment. */
    static List<Line> read(Segment segment) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String text : Files.readAllLines(segment.path)) {
            if (text.isBlank()) {
                continue;
            }
            try {
                lines.add(READER.readValue(text));
            } catch (IOException cut) {
                LOG.warning("Journal segment " + segment.path + " ends with a line cut short; " + lines.size() + " rows read");
                break;
            }
        }
        return lines;
    }

    /** Bytes on disk in segments not yet stored. */
    long bytes() {
        return bytes.get();
    }

    /** Rows journaled and not yet stored (of segments read back: their size is not known before). */
    long pendingRows() {
        long pending = 0;
        for (Segment s : segments) {
            pending += Math.max(0, s.written.get() - s.stored.get() - s.failed.get());
        }
        return pending;
    }

    /**
     * When the oldest segment with rows not yet stored was begun (so the oldest such row is at most {@link
     * #SEGMENT_AGE} younger); null when every row is stored.
     */
    Instant oldest() {
        for (Segment s : segments) {
            if (s.spilled || !s.allStored()) {
                return s.opened;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            if (current.written.get() == 0 || current.allStored()) {
                current.closed = true;
                settled(current);
            }
        }
        lock.release();
        lockChannel.close();
    }

    private static long seqOf(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The lines of a batch, written from where they were gathered (no copy). */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        ByteBuffer bytes() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }

    /** One segment file and how many of its rows are written and stored. */
    static final class Segment {
        final Path path;
        final long seq;
        final Instant opened;
        final AtomicInteger written = new AtomicInteger();
        final AtomicInteger stored = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        /** No more rows go into it. */
        volatile boolean closed;
        /** Some of its rows are not on the memory path: the segment is read back from disk and stored whole. */
        volatile boolean spilled;
        volatile boolean replayed;

        Segment(Path path, long seq, Instant opened) {
            this.path = path;
            this.seq = seq;
            this.opened = opened;
        }

        boolean allStored() {
            return stored.get() + failed.get() >= written.get();
        }
    }
}
