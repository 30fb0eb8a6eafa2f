package io.tokenrouter.usage;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.JobLocks;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.RollupDelta;
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
 * Stores one {@link UsageRecord} per request, off the request's threads: {@link #record} only offers it
 * to a bounded queue (never blocks, never throws) and answers a stage that completes once the record is
 * committed. One writer thread stores whatever has queued up in one transaction (a group commit: the
 * busier the gateway, the larger the batches), retrying while the database is unavailable.
 *
 * <p>The per-minute and per-hour aggregates of those rows follow every {@link #ROLLUP_EVERY}, in a
 * transaction of their own that also moves this node's mark in {@code rollup_marks}, so the answer
 * waits for one multi-row insert only. A node that dies between the two leaves rows past its mark; once
 * its heartbeat is {@link #NODE_TIMEOUT} old another node adds them from the log ({@link #takeOverGoneNodes}),
 * so the aggregates lose nothing, and lag the log by about a second.
 *
 * <p>The proxy sends the last bytes of an answer only when its record's stage completes, so a node that
 * is killed loses no record of an answer a client received in full. A client never waits on the
 * database longer than {@link #DURABLE_WAIT_NANOS}, nor past the first failed attempt to store its
 * record: the stage then completes anyway and the record stays queued for the retries (counted in
 * {@link #answeredBeforeStored}). A full queue drops the record, counts it and says so in the log. At
 * shutdown the queue is drained before the database closes.
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class.getName());
    private static final int BATCH = 500;
    /** The longest an answer is held back for its record to be committed. */
    static final long DURABLE_WAIT_NANOS = 2_000_000_000L;
    static final Duration ROLLUP_EVERY = Duration.ofSeconds(1);
    /** Past this many rows not yet aggregated, the writer adds them at once. */
    private static final int ROLLUP_ROWS = 5_000;
    /** Rows kept for the aggregates while the database refuses them, at most. */
    private static final int MAX_UNROLLED = 200_000;
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(90);
    private static final String TAKEOVER_JOB = "usage-rollup-takeover";
    /** How long the writer keeps its database connection without a batch to store. */
    static final Duration CONNECTION_IDLE = Duration.ofSeconds(5);

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

    /** This node's rows stored but not yet in the aggregates, in id order; the writer thread's alone. */
    private final List<Unrolled> unrolled = new ArrayList<>();
    /** Where this node's mark stands in the database (the writer thread's alone). */
    private long mark;
    private long lastRollupNanos = System.nanoTime();

    private BlockingQueue<Pending> queue;
    /** Records whose stage is not complete yet, oldest first, for the sweep that bounds the wait. */
    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicLong answeredBeforeStored = new AtomicLong();
    private volatile boolean stopping;
    private volatile long lastDropWarning;
    private volatile PriceBook priceBook = new PriceBook(List.of());
    private volatile long priceBookLoadedAt;
    private Thread writer;

    @PostConstruct
    void start() {
        queue = new ArrayBlockingQueue<>(settings.usageQueueCapacity());
        mark = log.openMark(node.nodeId());
        scheduler.every(Duration.ofSeconds(30), TAKEOVER_JOB, this::takeOverGoneNodes);
        writer = io.tokenrouter.config.DaemonThreads.named("usage-writer").newThread(this::writeLoop);
        writer.start();
        scheduler.tick(Duration.ofMillis(100), "usage wait bound", this::releaseOverdue);
        database.beforeClose(this::drain);
    }

    /**
     * Queues the record for storage; never blocks the caller. The stage completes (never exceptionally)
     * once the record is committed, or when it cannot be soon: see the class comment.
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
                    + " records so far; the database cannot keep up");
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Stops accepting work once the queue is empty and waits for the last batch to be stored. */
    public void drain() {
        stopping = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.severe("Shutdown: " + queue.size() + " usage records could not be stored");
        }
        waiting.forEach(p -> p.stored.complete(null));
    }

    public int queued() {
        return queue.size();
    }

    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    public long writeFailures() {
        return writeFailures.get();
    }

    /** Answers sent before their record was committed (the database was slow or failing). */
    public long answeredBeforeStored() {
        return answeredBeforeStored.get();
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

    /** Stores, in one transaction each, whatever queued up while the previous batch was being written. */
    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (!stopping || !queue.isEmpty() || !unrolled.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    store(batch);
                    batch.clear();
                } else {
                    log.releaseWriterConnection(CONNECTION_IDLE);
                }
                if (!unrolled.isEmpty() && (unrolled.size() >= ROLLUP_ROWS || stopping
                        || System.nanoTime() - lastRollupNanos >= ROLLUP_EVERY.toNanos())) {
                    addRollups();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
        log.releaseWriterConnection(Duration.ZERO);
    }

    /**
     * Stores one batch, retrying with back-off while the database fails (a blip loses nothing); the
     * batch's answers are released after the first failed attempt rather than held through the retries.
     */
    private void store(List<Pending> batch) throws InterruptedException {
        refreshPrices();
        List<UsageRecord> records = batch.stream().map(Pending::record).toList();
        List<LogRow> rows = records.stream().map(this::toRow).toList();
        for (int attempt = 0; ; attempt++) {
            try {
                long[] ids = log.insert(rows, node.nodeId());
                written.addAndGet(rows.size());
                batch.forEach(p -> p.stored.complete(null));
                for (int i = 0; i < ids.length; i++) {
                    unrolled.add(new Unrolled(ids[i], rows.get(i), records.get(i).teamName()));
                }
                return;
            } catch (RuntimeException e) {
                writeFailures.incrementAndGet();
                for (Pending p : batch) {
                    if (p.stored.complete(null)) {
                        answeredBeforeStored.incrementAndGet();
                    }
                }
                if (attempt >= 20 || (stopping && attempt >= 3)) {
                    LOG.log(Level.SEVERE, "Giving up on " + rows.size() + " usage records after " + (attempt + 1)
                            + " attempts", e);
                    dropped.addAndGet(rows.size());
                    return;
                }
                LOG.log(Level.WARNING, "Storing " + rows.size() + " usage records failed; retrying", e);
                Thread.sleep(Math.min(5_000, 100L << Math.min(attempt, 6)));
            }
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
        long to = unrolled.get(unrolled.size() - 1).id();
        try {
            if (!log.addRollups(rollupsOf(unrolled), node.nodeId(), mark, to)) {
                RequestLogRepository.Mark now = log.mark(node.nodeId()).orElse(new RequestLogRepository.Mark(mark, true));
                LOG.warning("Another node added this node's request log aggregates up to row " + now.rolledTo()
                        + " (it took this node for gone); adding the rest");
                long takenTo = now.rolledTo();
                unrolled.removeIf(u -> u.id() <= takenTo);
                log.resumeMark(node.nodeId(), takenTo);
                mark = takenTo;
                return; // the rest goes with the next round
            }
            mark = to;
            unrolled.clear();
        } catch (RuntimeException e) {
            writeFailures.incrementAndGet();
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

    /** Adds the aggregates of the rows of nodes gone for {@link #NODE_TIMEOUT}, past their marks; one node at a time. */
    void takeOverGoneNodes() {
        if (!locks.tryAcquire(TAKEOVER_JOB, node.name() + " " + node.nodeId(), Duration.ofSeconds(25))) {
            return;
        }
        for (String gone : log.marksOfGoneNodes(node.nodeId(), Instant.now().minus(NODE_TIMEOUT))) {
            int rows;
            int total = 0;
            do {
                rows = log.takeOver(gone, 10_000, named -> rollupsOf(named.stream()
                        .map(n -> new Unrolled(n.id(), n.row(), n.teamName())).toList()));
                total += rows;
            } while (rows == 10_000);
            LOG.info("Added the aggregates of " + total + " logged requests of gone node " + gone);
        }
    }

    private static List<RollupDelta> rollupsOf(List<Unrolled> rows) {
        return Rollups.of(rows.stream().map(Unrolled::row).toList(), i -> rows.get(i).teamName());
    }

    /** A stored row not yet in the aggregates, with its id and its team's name. */
    private record Unrolled(long id, LogRow row, String teamName) {
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
