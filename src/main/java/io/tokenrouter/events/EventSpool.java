package io.tokenrouter.events;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.tokenrouter.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.logging.Logger;

/**
 * The events that wait for the database, on disk: one JSON line per event in {@code events.jsonl} of the
 * node's journal directory (which the node holds locked, so no other gateway process writes it). Events are
 * appended with one {@code write} per batch, so they survive the process being killed; the file is rewritten
 * whole when it holds events already stored, and removed once none waits.
 */
final class EventSpool {

    private static final Logger LOG = Logger.getLogger(EventSpool.class.getName());
    static final String FILE = "events.jsonl";
    private static final ObjectWriter WRITER = Json.MAPPER.writerFor(Event.class);
    private static final ObjectReader READER = Json.MAPPER.readerFor(Event.class);

    /** One event as the event log stores it. */
    record Event(Instant at, String level, String category, String actor, String message) {
    }

    private final Path file;
    /** Events in the file. */
    private int lines;
    /**
     * The file holds exactly {@link #lines} whole events, each ending its line; false after a line cut short (by
     * a kill while writing, or a write that failed), so that the next write rewrites the file instead of
     * appending to the cut line.
     */
    private boolean whole;

    private EventSpool(Path file, int lines, boolean whole) {
        this.file = file;
        this.lines = lines;
        this.whole = whole;
    }

    /**
     * The spool in {@code dir}, and the events it already holds (left by an earlier run), oldest first; the
     * reading stops at a line cut short. Bytes that are not UTF-8 (a character cut in two) are read as such, not
     * as a failure.
     */
    static EventSpool open(Path dir, List<Event> left) throws IOException {
        Path file = dir.resolve(FILE);
        boolean whole = true;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            int from = 0;
            while (from < bytes.length) {
                int end = from;
                while (end < bytes.length && bytes[end] != '\n') {
                    end++;
                }
                if (end == bytes.length) {
                    whole = false; // the last line has no end: cut short
                }
                String text = new String(bytes, from, end - from, StandardCharsets.UTF_8);
                from = end + 1;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    left.add(READER.readValue(text));
                } catch (IOException cut) {
                    LOG.warning(file + " holds a line cut short; " + left.size() + " events read before it");
                    whole = false;
                    break;
                }
            }
        }
        return new EventSpool(file, left.size(), whole);
    }

    Path file() {
        return file;
    }

    /** Whether the file holds nothing. */
    boolean empty() {
        return whole && lines == 0;
    }

    /** Whether the file holds exactly {@code count} whole events (so more may be appended). */
    boolean holds(int count) {
        return whole && lines == count;
    }

    /** Adds events at the end, with one {@code write}. */
    void append(Collection<Event> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            write(out, events);
        } catch (IOException e) {
            whole = false; // part of it may be written
            throw e;
        }
        lines += events.size();
    }

    /** Replaces the file with exactly these events (none: the file goes). */
    void replace(Collection<Event> events) throws IOException {
        if (events.isEmpty()) {
            Files.deleteIfExists(file);
        } else {
            Path next = file.resolveSibling(FILE + ".next");
            try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                write(out, events);
            }
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        lines = events.size();
        whole = true;
    }

    private static void write(FileChannel out, Collection<Event> events) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(events.size() * 200);
        for (Event event : events) {
            WRITER.writeValue(buffer, event);
            buffer.write('\n');
        }
        ByteBuffer data = ByteBuffer.wrap(buffer.toByteArray());
        while (data.hasRemaining()) {
            out.write(data);
        }
    }

    /** For tests: what the file holds. */
    static List<Event> read(Path dir) throws IOException {
        List<Event> events = new ArrayList<>();
        open(dir, events);
        return events;
    }
}
