package io.tokenrouter.usage;

import io.tokenrouter.store.Database;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.RollupDelta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stores the node's journaled request-log rows in the database, on a thread of its own, and lets the {@link
 * Journal} drop what is stored: the batches the journal writer hands over in memory (up to {@link #MEMORY_ROWS}
 * rows), then segments to read back from disk (left by an earlier run, or past that bound), at no more than
 * {@link #REPLAY_ROWS_PER_SECOND}. Rows that may have been stored before (a retry after a failure, a segment
 * read back) are stored idempotently by request id. While the database is unreachable it waits, the rows safe
 * in the journal. The per-minute and per-hour aggregates of the rows it stored follow every {@link
 * #ROLLUP_EVERY}, moving this node's mark in {@code rollup_marks} (see {@link UsageRecorder}).
 */
final class JournalShipper implements Runnable {

    private static final Logger LOG = Logger.getLogger(JournalShipper.class.getName());
    private static final int BATCH = 500;
    static final Duration ROLLUP_EVERY = Duration.ofSeconds(1);
    /** Past this many rows not yet aggregated, they are added at once. */
    private static final int ROLLUP_ROWS = 5_000;
    /** Rows kept for the aggregates while the database refuses them, at most. */
    private static final int MAX_UNROLLED = 200_000;
    /** How long the shipper keeps its database connection without a batch to store. */
    static final Duration CONNECTION_IDLE = Duration.ofSeconds(5);
    /** Journaled rows held in memory at most; past that, segments are read back from disk. */
    static final int MEMORY_ROWS = 100_000;
    /** How fast segments read back from disk are stored, so that a long outage's backlog does not flood the database. */
    static final int REPLAY_ROWS_PER_SECOND = 5_000;

    private final RequestLogRepository log;
    private final Database database;
    private final String nodeId;
    private final Journal journal;
    /** Whether the journal writer has stopped: nothing more comes in memory. */
    private final BooleanSupplier writerDone;
    private final AtomicLong dropped;
    private final AtomicLong writeFailures;

    /** Journaled batches, as they were written. */
    private final BlockingQueue<Journaled> journaled = new LinkedBlockingQueue<>();
    private final AtomicLong inMemory = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong duplicatesSkipped = new AtomicLong();
    /** This node's rows stored but not yet in the aggregates, in id order; this thread's alone. */
    private final List<Unrolled> unrolled = new ArrayList<>();
    /** Where this node's mark stands in the database (this thread's alone). */
    private long mark;
    private long lastRollupNanos = System.nanoTime();
    private volatile boolean shipperStopping;

    JournalShipper(RequestLogRepository log, Database database, String nodeId, Journal journal, long mark,
                   BooleanSupplier writerDone, AtomicLong dropped, AtomicLong writeFailures) {
        this.log = log;
        this.database = database;
        this.nodeId = nodeId;
        this.journal = journal;
        this.mark = mark;
        this.writerDone = writerDone;
        this.dropped = dropped;
        this.writeFailures = writeFailures;
    }

    /**
     * Takes a journaled batch to store; false, taking nothing, when the rows held in memory would pass {@link
     * #MEMORY_ROWS} (the segment is then read back from disk instead). A batch the journal failed to write
     * ({@code segment} null) is always taken.
     */
    boolean offer(List<Journal.Line> lines, Journal.Segment segment) throws InterruptedException {
        if (segment != null && inMemory.get() + lines.size() > MEMORY_ROWS) {
            return false;
        }
        inMemory.addAndGet(lines.size());
        journaled.put(new Journaled(lines, segment));
        return true;
    }

    /** Stops at once (at shutdown, after the time it was given): what is not stored stays in the journal. */
    void stopNow() {
        shipperStopping = true;
    }

    /** Rows this node stored. */
    long written() {
        return written.get();
    }

    /** Rows not stored because the request log already held their request id. */
    long duplicatesSkipped() {
        return duplicatesSkipped.get();
    }

    /** Stores journaled rows: those handed over in memory, then segments to read back from disk. */
    @Override
    public void run() {
        long idleSince = System.nanoTime();
        while (!shipperStopping) {
            try {
                Journaled first = journaled.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    List<Journaled> batch = new ArrayList<>();
                    batch.add(first);
                    int rows = first.lines().size();
                    for (Journaled next = journaled.peek(); next != null && rows + next.lines().size() <= BATCH;
                         next = journaled.peek()) {
                        batch.add(journaled.poll());
                        rows += next.lines().size();
                    }
                    ship(batch);
                    idleSince = System.nanoTime();
                } else if (!replayOne()) {
                    if (writerDone.getAsBoolean() && journaled.isEmpty()) {
                        break;
                    }
                    if (System.nanoTime() - idleSince > CONNECTION_IDLE.toNanos()) {
                        log.releaseWriterConnection(CONNECTION_IDLE);
                    }
                }
                if (!unrolled.isEmpty() && (unrolled.size() >= ROLLUP_ROWS || writerDone.getAsBoolean()
                        || System.nanoTime() - lastRollupNanos >= ROLLUP_EVERY.toNanos())) {
                    addRollups();
                }
            } catch (InterruptedException e) {
                break;
            }
        }
        if (!unrolled.isEmpty()) {
            addRollups();
        }
        log.releaseWriterConnection(Duration.ZERO);
    }

    /** Stores batches handed over in memory; a segment that was also marked for reading back is stored idempotently. */
    private void ship(List<Journaled> batch) throws InterruptedException {
        List<Journal.Line> lines = new ArrayList<>();
        boolean maybeStored = false;
        for (Journaled j : batch) {
            lines.addAll(j.lines());
            maybeStored |= j.segment() != null && j.segment().spilled;
        }
        int failed = store(lines, maybeStored);
        inMemory.addAndGet(-lines.size());
        int i = 0;
        for (Journaled j : batch) {
            if (j.segment() != null) {
                int mine = j.lines().size();
                int failedHere = Math.max(0, Math.min(mine, failed - i));
                journal.stored(j.segment(), mine - failedHere, failedHere);
            }
            i += j.lines().size();
        }
    }

    /** Reads back the oldest segment that waits for it and stores it whole, paced; false when there is none. */
    private boolean replayOne() throws InterruptedException {
        List<Journal.Segment> waitingSegments = journal.toReplay();
        if (waitingSegments.isEmpty()) {
            return false;
        }
        Journal.Segment segment = waitingSegments.get(0);
        List<Journal.Line> lines;
        try {
            lines = Journal.read(segment);
        } catch (java.io.IOException e) {
            LOG.log(Level.SEVERE, "Cannot read journal segment " + segment.path + "; it is kept", e);
            journal.replayed(segment, 1);
            return true;
        }
        int failed = 0;
        for (int from = 0; from < lines.size() && !shipperStopping; from += BATCH) {
            long began = System.nanoTime();
            List<Journal.Line> chunk = lines.subList(from, Math.min(lines.size(), from + BATCH));
            failed += store(chunk, true);
            long pace = TimeUnit.SECONDS.toNanos(chunk.size()) / REPLAY_ROWS_PER_SECOND - (System.nanoTime() - began);
            if (pace > 0) {
                TimeUnit.NANOSECONDS.sleep(pace);
            }
        }
        if (!shipperStopping) {
            journal.replayed(segment, failed);
        }
        return true;
    }

    /**
     * Stores rows, idempotently when they may have been stored before; waits out an outage of the database
     * (the rows are journaled) and retries other failures with back-off. Answers how many rows it gave up on
     * (after 20 attempts that failed for another reason than an unreachable database).
     */
    private int store(List<Journal.Line> lines, boolean maybeStored) throws InterruptedException {
        List<LogRow> rows = lines.stream().map(Journal.Line::row).toList();
        boolean idempotent = maybeStored;
        for (int attempt = 0; ; attempt++) {
            if (database.outage().down()) {
                awaitDatabase();
                idempotent = true;
            }
            try {
                long[] ids = idempotent ? log.insertNew(rows, nodeId) : log.insert(rows, nodeId);
                int stored = 0;
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i] > 0) {
                        unrolled.add(new Unrolled(ids[i], rows.get(i), lines.get(i).teamName()));
                        stored++;
                    }
                }
                written.addAndGet(stored);
                duplicatesSkipped.addAndGet(rows.size() - stored);
                return 0;
            } catch (RuntimeException e) {
                writeFailures.incrementAndGet();
                idempotent = true; // a failed commit may still have stored the rows
                if (database.failed(e) != null) {
                    continue; // an outage began: wait for its end above
                }
                if (attempt >= 20 || shipperStopping) {
                    LOG.log(Level.SEVERE, "Giving up on storing " + rows.size() + " request-log rows after " + (attempt + 1)
                            + " attempts", e);
                    dropped.addAndGet(rows.size());
                    return rows.size();
                }
                LOG.log(Level.WARNING, "Storing " + rows.size() + " request-log rows failed; retrying", e);
                Thread.sleep(Math.min(5_000, 100L << Math.min(attempt, 6)));
            }
        }
    }

    /** Waits, the rows safe in the journal, until the database is reachable again (or the node stops). */
    private void awaitDatabase() throws InterruptedException {
        while (database.outage().down()) {
            if (shipperStopping) {
                throw new InterruptedException("stopping during a database outage");
            }
            Thread.sleep(200);
        }
    }

    /**
     * Adds the aggregates of the rows stored since the last time and moves this node's mark past them. If
     * another node took this node's rows over meanwhile (it believed this node gone), only the rows past
     * where it stopped are added, and the mark is this node's again. A failure leaves the rows for the next
     * time; they are in the log either way.
     */
    private void addRollups() {
        lastRollupNanos = System.nanoTime();
        if (database.outage().down()) {
            return; // they wait with the rows; the next round after the outage adds them
        }
        long to = unrolled.get(unrolled.size() - 1).id();
        try {
            if (!log.addRollups(rollupsOf(unrolled), nodeId, mark, to)) {
                RequestLogRepository.Mark now = log.mark(nodeId).orElse(new RequestLogRepository.Mark(mark, true));
                LOG.warning("Another node added this node's request log aggregates up to row " + now.rolledTo()
                        + " (it took this node for gone); adding the rest");
                long takenTo = now.rolledTo();
                unrolled.removeIf(u -> u.id() <= takenTo);
                log.resumeMark(nodeId, takenTo);
                mark = takenTo;
                return; // the rest goes with the next round
            }
            mark = to;
            unrolled.clear();
        } catch (RuntimeException e) {
            writeFailures.incrementAndGet();
            boolean stopping = writerDone.getAsBoolean();
            if (stopping || unrolled.size() > MAX_UNROLLED) {
                // in the log, past this node's mark: another node adds them once this one's heartbeat stops
                LOG.log(Level.SEVERE, "Adding the aggregates of " + unrolled.size() + " logged requests failed; "
                        + (stopping ? "left to another node" : "dropped from this node's memory"), e);
                unrolled.clear();
            } else {
                LOG.log(Level.WARNING, "Adding the aggregates of " + unrolled.size() + " logged requests failed; retrying", e);
            }
        }
    }

    static List<RollupDelta> rollupsOf(List<Unrolled> rows) {
        return Rollups.of(rows.stream().map(Unrolled::row).toList(), i -> rows.get(i).teamName());
    }

    /** A stored row not yet in the aggregates, with its id and its team's name. */
    record Unrolled(long id, LogRow row, String teamName) {
    }

    /** A journaled batch handed to the shipper, and the segment it is in (null: the journal failed). */
    record Journaled(List<Journal.Line> lines, Journal.Segment segment) {
    }

}
