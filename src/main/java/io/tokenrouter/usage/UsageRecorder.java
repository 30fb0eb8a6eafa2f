package io.tokenrouter.usage;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.RollupDelta;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes one {@link UsageRecord} per request off the request path: {@link #record} only offers it to a
 * bounded queue (never blocks, never throws), and one writer thread stores queued records in batches,
 * with their per-minute and per-hour aggregates, retrying while the database is unavailable. At
 * shutdown the queue is drained before the database closes. A full queue drops the record, counts it
 * and says so in the log.
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class.getName());
    private static final int BATCH = 500;
    /** How long the writer gathers records after the first one before it writes them together. */
    private static final long GATHER_NANOS = 100_000_000L;
    static final String[] DIMENSIONS = {"all", "provider", "model", "team", "key", "ip"};

    @Inject
    GatewaySettings settings;
    @Inject
    RequestLogRepository log;
    @Inject
    PriceRepository prices;
    @Inject
    Database database;

    private BlockingQueue<UsageRecord> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private volatile boolean stopping;
    private volatile long lastDropWarning;
    private volatile PriceBook priceBook = new PriceBook(List.of());
    private long priceBookLoadedAt;
    private Thread writer;

    @PostConstruct
    void start() {
        queue = new ArrayBlockingQueue<>(settings.usageQueueCapacity());
        writer = io.tokenrouter.config.DaemonThreads.named("usage-writer").newThread(this::writeLoop);
        writer.start();
        database.beforeClose(this::drain);
    }

    /** Queues the record for storage; never blocks the caller. */
    public void record(UsageRecord record) {
        if (!queue.offer(record)) {
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastDropWarning > 10_000_000_000L) {
                lastDropWarning = now;
                LOG.warning("Usage queue full (" + queue.size() + " records waiting): dropped " + n
                        + " records so far; the database cannot keep up");
            }
        }
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

    private void writeLoop() {
        List<UsageRecord> batch = new ArrayList<>(BATCH);
        while (!stopping || !queue.isEmpty()) {
            try {
                UsageRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                gather(batch);
                store(batch);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    /** Adds what arrives within {@link #GATHER_NANOS} of the first record, so a batch amortises its aggregates. */
    private void gather(List<UsageRecord> batch) throws InterruptedException {
        long deadline = System.nanoTime() + GATHER_NANOS;
        queue.drainTo(batch, BATCH - batch.size());
        while (batch.size() < BATCH && !stopping) {
            long left = deadline - System.nanoTime();
            UsageRecord next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, BATCH - batch.size());
        }
    }

    /** Stores one batch, retrying with back-off while the database fails (a blip loses nothing). */
    private void store(List<UsageRecord> batch) throws InterruptedException {
        refreshPrices();
        List<LogRow> rows = batch.stream().map(this::toRow).toList();
        List<RollupDelta> deltas = rollups(rows, batch);
        for (int attempt = 0; ; attempt++) {
            try {
                log.write(rows, deltas);
                written.addAndGet(rows.size());
                return;
            } catch (RuntimeException e) {
                writeFailures.incrementAndGet();
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
                r.upstreamModel(), r.endpoint(), r.status(), r.stream(), r.outcome(), r.usage().promptTokens(),
                r.usage().completionTokens(), r.usage().cachedTokens(), r.usage().reasoningTokens(), r.usage().estimated(),
                r.latencyMillis(), r.firstByteMillis(), r.tokensPerSecond(), r.clientIp(), r.userAgent(),
                ClientTypes.of(r.userAgent()), r.errorType(), r.errorMessage(), r.upstreamRequestId(),
                priceBook.costMicros(r.provider(), r.upstreamModel(), r.usage()));
    }

    static List<RollupDelta> rollups(List<LogRow> rows, List<UsageRecord> records) {
        Map<String, RollupDelta> deltas = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            LogRow row = rows.get(i);
            UsageRecord record = records.get(i);
            for (int seconds : new int[] {60, 3600}) {
                Instant bucket = row.createdAt().truncatedTo(seconds == 60 ? ChronoUnit.MINUTES : ChronoUnit.HOURS);
                for (String dim : DIMENSIONS) {
                    String value = dimensionValue(dim, row, record);
                    Long id = dimensionId(dim, row);
                    deltas.computeIfAbsent(seconds + "|" + dim + "|" + value + "|" + bucket,
                            k -> new RollupDelta(seconds, dim, value, id, bucket)).add(row);
                }
            }
        }
        return new ArrayList<>(deltas.values());
    }

    /** The value a request has in a dimension; keys and teams keep their name next to their id. */
    static String dimensionValue(String dim, LogRow row, UsageRecord record) {
        return switch (dim) {
            case "provider" -> nonNull(row.provider());
            case "model" -> nonNull(row.model());
            case "team" -> row.teamId() == null ? "(none)" : record.teamName() + " #" + row.teamId();
            case "key" -> row.keyId() == null ? "(none)" : row.keyName() + " #" + row.keyId();
            case "ip" -> nonNull(row.clientIp());
            default -> "*";
        };
    }

    /** The key's or team's id for those dimensions, so visibility is filtered by id in the database. */
    static Long dimensionId(String dim, LogRow row) {
        return switch (dim) {
            case "team" -> row.teamId();
            case "key" -> row.keyId();
            default -> null;
        };
    }

    private static String nonNull(String value) {
        return value == null ? "(none)" : value;
    }
}
