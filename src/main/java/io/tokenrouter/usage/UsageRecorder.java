package io.tokenrouter.usage;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.RequestLogRepository;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records one {@link UsageRecord} per request, off the request's threads, in two steps. {@link #record} only
 * offers it to a bounded queue (never blocks, never throws) and answers a stage that completes once the
 * record is in the node's {@link Journal}: one writer thread appends whatever has queued up with one
 * {@code write} (a group commit: the busier the gateway, the larger the batches). The proxy sends the last
 * bytes of an answer only when that stage completes, so a node that is killed loses no record of an answer
 * a client received in full, and no answer waits for the database, reachable or not.
 *
 * <p>A shipper thread then stores the journaled rows in the database in batches and lets the journal drop
 * what is stored. While the database is unreachable the rows wait in the journal (on disk, up to {@code
 * journal_max_bytes}; in memory up to {@link JournalShipper#MEMORY_ROWS}, beyond which they are read back from
 * disk); once it is back they are stored, read-back segments at no more than {@link
 * JournalShipper#REPLAY_ROWS_PER_SECOND}. A batch that
 * may have been stored before (a retry after a failure, a segment read back at start-up or after a spill) is
 * stored idempotently: rows whose request id is already in the log are skipped, so every request has one row.
 *
 * <p>The per-minute and per-hour aggregates of those rows follow every {@link JournalShipper#ROLLUP_EVERY}, in a
 * transaction of their own that also moves this node's mark in {@code rollup_marks}. A node that dies between
 * the two leaves rows past its mark; once its heartbeat is {@link #NODE_TIMEOUT} old another node adds them
 * from the log ({@link #takeOverGoneNodes}), so the aggregates lose nothing, and lag the log by about a second.
 *
 * <p>A client never waits on the journal longer than {@link #DURABLE_WAIT_NANOS} (counted in {@link
 * #answeredBeforeStored}); a full queue drops the record, counts it and says so in the log. At shutdown the
 * queue is journaled and the shipper given a few seconds; what it could not store stays in the journal for
 * the next start.
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class.getName());
    private static final int BATCH = 500;
    /** The longest an answer is held back for its record to be journaled. */
    static final long DURABLE_WAIT_NANOS = 2_000_000_000L;
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(90);
    private static final String TAKEOVER_JOB = "usage-rollup-takeover";
    /** How long the shipper gives itself at shutdown before it leaves the rest in the journal. */
    private static final Duration SHUTDOWN_SHIPPING = Duration.ofSeconds(10);

    @Inject
    GatewaySettings settings;
    @Inject
    RequestLogRepository log;
    @Inject
    PriceRepository prices;
    @Inject
    Database database;
    @Inject
    Scheduler scheduler;
    @Inject
    NodeRegistry node;
    @Inject
    JobLocks locks;


    private BlockingQueue<Pending> queue;
    /** Records whose stage is not complete yet, oldest first, for the sweep that bounds the wait. */
    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong journaledRows = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicLong answeredBeforeStored = new AtomicLong();
    private volatile boolean stopping;
    private volatile long lastDropWarning;
    private volatile PriceBook priceBook = new PriceBook(List.of());
    private volatile long priceBookLoadedAt;
    private Journal journal;
    private Thread writer;
    private Thread shipper;
    private JournalShipper shipping;

    @PostConstruct
    void start() {
        queue = new ArrayBlockingQueue<>(settings.usageQueueCapacity());
        long mark = log.openMark(node.nodeId());
        journal = Journal.open(settings.journalDirectory());
        List<Journal.Segment> left = journal.toReplay();
        if (!left.isEmpty()) {
            LOG.info("The journal at " + journal.dir() + " holds " + left.size() + " segment(s) (" + journal.bytes()
                    + " bytes) of request-log rows an earlier run did not store: storing them now");
        }
        scheduler.every(Duration.ofSeconds(30), TAKEOVER_JOB, this::takeOverGoneNodes);
        writer = io.tokenrouter.config.DaemonThreads.named("usage-journal").newThread(this::writeLoop);
        writer.start();
        shipping = new JournalShipper(log, database, node.nodeId(), journal, mark,
                () -> writer.getState() == Thread.State.TERMINATED, dropped, writeFailures);
        shipper = io.tokenrouter.config.DaemonThreads.named("usage-shipper").newThread(shipping);
        shipper.start();
        scheduler.tick(Duration.ofMillis(100), "usage wait bound", this::releaseOverdue);
        database.beforeClose(this::drain);
    }

    /**
     * Queues the record for the journal; never blocks the caller. The stage completes (never exceptionally)
     * once the record is journaled, or when it cannot be soon: see the class comment.
     */
    public CompletionStage<Void> record(UsageRecord record) {
        Pending pending = new Pending(record);
        if (queue.offer(pending)) {
            waiting.add(pending);
            return pending.stored;
        }
        long n = dropped.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastDropWarning > 10_000_000_000L) {
            lastDropWarning = now;
            LOG.warning("Usage queue full (" + queue.size() + " records waiting): dropped " + n
                    + " records so far; the journal cannot keep up");
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Journals what is queued, then gives the shipper {@link #SHUTDOWN_SHIPPING} to store the rest; what it
     * could not store stays in the journal for the next start.
     */
    public void drain() {
        stopping = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(60));
            shipper.join(SHUTDOWN_SHIPPING.toMillis());
            shipping.stopNow();
            shipper.interrupt();
            shipper.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.severe("Shutdown: " + queue.size() + " usage records could not be journaled");
        }
        waiting.forEach(p -> p.stored.complete(null));
        long pending = journal.pendingRows();
        try {
            journal.close();
        } catch (java.io.IOException e) {
            LOG.warning("Closing the journal: " + e);
        }
        if (pending > 0 || !journal.toReplay().isEmpty()) {
            LOG.warning("Shutdown: request-log rows not yet stored stay in the journal at " + journal.dir()
                    + "; the next start stores them");
        }
    }

    public int queued() {
        return queue.size();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Rows stored in the database by this node. */
    public long written() {
        return shipping.written();
    }

    /** Rows journaled by this node. */
    public long journaled() {
        return journaledRows.get();
    }

    public long writeFailures() {
        return writeFailures.get();
    }

    /** Rows not stored because the request log already held their request id (shipped twice, stored once). */
    public long duplicatesSkipped() {
        return shipping.duplicatesSkipped();
    }

    /** Answers sent before their record was journaled (the disk was slow or failing). */
    public long answeredBeforeStored() {
        return answeredBeforeStored.get();
    }

    /** Rows in the journal not yet stored in the database (of segments read back, once they are read). */
    public long journalPending() {
        return journal.pendingRows();
    }

    /** Bytes of the journal on disk. */
    public long journalBytes() {
        return journal.bytes();
    }

    /** When the oldest row not yet stored was journaled (about); null when every row is stored. */
    public Instant journalOldest() {
        return journal.oldest();
    }

    /** Where this node's journal is. */
    public java.nio.file.Path journalDirectory() {
        return journal.dir();
    }

    /** Whether the journal has reached {@code journal_max_bytes}: new requests are refused until it drains. */
    public boolean journalFull() {
        return journal.bytes() >= settings.journalMaxBytes();
    }

    /** Releases the answers that waited too long for their record; the records stay queued. */
    void releaseOverdue() {
        long now = System.nanoTime();
        for (Pending head = waiting.peek(); head != null; head = waiting.peek()) {
            if (!head.stored.isDone()) {
                if (now - head.queuedNanos < DURABLE_WAIT_NANOS) {
                    return;
                }
                if (head.stored.complete(null)) {
                    answeredBeforeStored.incrementAndGet();
                }
            }
            waiting.poll();
        }
    }

    /** Journals, with one write each, whatever queued up while the previous batch was being written. */
    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(BATCH);
        boolean fresh = false;
        while (!stopping || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    journal.closeIfStored();
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                fresh = journal(batch, fresh);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            } catch (java.io.IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "The journal failed", e);
            }
        }
    }

    /**
     * Appends one batch to the journal and releases its answers; hands the rows to the shipper in memory while
     * it holds fewer than {@link JournalShipper#MEMORY_ROWS}, else marks the segment for reading back (and answers that the
     * next batch needs a segment of its own). A journal that cannot be written still hands the rows over.
     */
    private boolean journal(List<Pending> batch, boolean fresh) throws InterruptedException {
        refreshPrices();
        List<Journal.Line> lines = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            lines.add(new Journal.Line(toRow(p.record()), p.record().teamName()));
        }
        Journal.Segment segment = null;
        try {
            segment = journal.append(lines, fresh);
            journaledRows.addAndGet(lines.size());
        } catch (java.io.IOException | RuntimeException e) {
            writeFailures.incrementAndGet();
            LOG.log(Level.SEVERE, "Could not journal " + lines.size() + " request-log rows; they are kept in memory only", e);
        }
        for (Pending p : batch) {
            if (p.stored.complete(null) && segment == null) {
                answeredBeforeStored.incrementAndGet();
            }
        }
        if (!shipping.offer(lines, segment)) {
            segment.spilled = true;
            return true;
        }
        return false;
    }

    /** Adds the aggregates of the rows of nodes gone for {@link #NODE_TIMEOUT}, past their marks; one node at a time. */
    void takeOverGoneNodes() {
        if (!locks.tryAcquire(TAKEOVER_JOB, node.name() + " " + node.nodeId(), Duration.ofSeconds(25))) {
            return;
        }
        for (String gone : log.marksOfGoneNodes(node.nodeId(), Instant.now().minus(NODE_TIMEOUT))) {
            int rows;
            int total = 0;
            do {
                rows = log.takeOver(gone, 10_000, named -> JournalShipper.rollupsOf(named.stream()
                        .map(n -> new JournalShipper.Unrolled(n.id(), n.row(), n.teamName())).toList()));
                total += rows;
            } while (rows == 10_000);
            LOG.info("Added the aggregates of " + total + " logged requests of gone node " + gone);
        }
    }

    /** The prices in force on this node (at most a minute old; loaded now if they never were). */
    public PriceBook prices() {
        if (priceBookLoadedAt == 0) {
            refreshPrices();
        }
        return priceBook;
    }

    /** Prices changed on this node: the next request reads them anew (other nodes within a minute). */
    public void pricesChanged() {
        priceBookLoadedAt = 0;
    }

    private void refreshPrices() {
        long now = System.nanoTime();
        if (priceBookLoadedAt == 0 || now - priceBookLoadedAt > 60_000_000_000L) {
            try {
                priceBook = PriceBook.load(prices);
                priceBookLoadedAt = now;
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Prices could not be loaded; keeping the previous ones", e);
            }
        }
    }

    LogRow toRow(UsageRecord r) {
        return new LogRow(r.requestId(), r.time(), r.keyId(), r.keyName(), r.teamId(), r.provider(), r.requestedModel(),
                r.upstreamModel(), r.endpoint(), r.status(), r.stream(), r.outcome().wire(), r.usage().promptTokens(),
                r.usage().completionTokens(), r.usage().cachedTokens(), r.usage().reasoningTokens(), r.usage().estimated(),
                r.latencyMillis(), r.firstByteMillis(), r.tokensPerSecond(), r.clientIp(), r.userAgent(),
                ClientTypes.of(r.userAgent()), r.errorType(), r.errorMessage(), r.upstreamRequestId(),
                priceBook.costMicros(r.provider(), r.upstreamModel(), r.usage()), r.attempts());
    }

    /** A queued record and the stage its answer waits on. */
    private record Pending(UsageRecord record, CompletableFuture<Void> stored, long queuedNanos) {
        Pending(UsageRecord record) {
            this(record, new CompletableFuture<>(), System.nanoTime());
        }
    }
}
