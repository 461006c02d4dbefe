package io.tieredarchive.source;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.config.VersionInfo;
import io.tieredarchive.failure.Backoff;
import io.tieredarchive.failure.Failures;
import io.tieredarchive.metrics.TaskMetrics;
import io.tieredarchive.source.BucketCopySourceConfig.CopyMode;
import io.tieredarchive.source.copy.CopyException;
import io.tieredarchive.source.copy.CopyMetrics;
import io.tieredarchive.source.copy.CopyResult;
import io.tieredarchive.source.copy.CopySelection;
import io.tieredarchive.source.copy.CopySettings;
import io.tieredarchive.source.copy.CopyWorkers;
import io.tieredarchive.source.copy.ListingOrderTracker;
import io.tieredarchive.source.copy.ShardCopy;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies the objects of one hash shard of the source prefix through a {@link ShardCopy} (the copy's S3 side). The
 * poll thread lists the source a page at a time and hands the selected objects to its {@link CopyWorkers}; finished
 * objects come back through a {@link ListingOrderTracker}, which releases them in listing order, so that each event's offset
 * {@code {after: key}} says that every object of the shard up to that key is finished.
 *
 * <p>At most {@code copy.concurrency x }{@value #WINDOW_PER_SLOT} objects are between listing and event, which bounds
 * the objects a restart may copy a second time: those finished ahead of an unfinished one when the task stopped
 * (their events were not written, so no event repeats; the second copy writes the same bytes).
 */
public class BucketCopySourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(BucketCopySourceTask.class);

    /** Longest a poll waits for finished objects, so that the worker can stop the task promptly. */
    static final long POLL_WAIT_MS = 500;
    /** Objects between listing and event, per unit of {@code copy.concurrency}. */
    static final int WINDOW_PER_SLOT = 32;
    /** Listing pages fetched by one poll at most, so that a long run of other shards' keys does not block it. */
    private static final int MAX_PAGES_PER_POLL = 10;

    private S3Connection source;
    private ShardCopy copy;
    private CopyEvents events;
    private int window;
    private boolean bucketsChecked;
    private boolean finishLogged;
    private int listingFailures;
    private long listingRetryAtNanos = System.nanoTime();
    private final AtomicReference<CopyException> fatal = new AtomicReference<>();
    private final AtomicReference<CopyException> lastTransient = new AtomicReference<>();

    @Override
    public String version() {
        return VersionInfo.version();
    }

    @Override
    public void start(Map<String, String> props) {
        BucketCopySourceConfig config = new BucketCopySourceConfig(props);
        source = config.source();
        S3Connection destination = config.destination();
        int shard = Integer.parseInt(props.getOrDefault(BucketCopySourceConfig.TASK_SHARD, "0"));
        int shards = Integer.parseInt(props.getOrDefault(BucketCopySourceConfig.TASK_SHARDS, "1"));
        CopyMode mode = config.mode();
        boolean serverSide = mode == CopyMode.SERVER_SIDE
                || (mode == CopyMode.AUTO && source.sameStoreAndCredentials(destination));
        CopySettings settings = new CopySettings(source, destination, serverSide, mode == CopyMode.AUTO,
                config.partSizeBytes(), config.multipartThresholdBytes(), config.skipExisting(),
                config.preserveStorageClass());
        CopySelection selection = new CopySelection(source.prefix(), destination.prefix(), config.includePattern(),
                config.excludePattern(), shard, shards);
        Map<String, Object> partition = CopyEvents.partition(source.bucket(), source.prefix(), shard, shards);
        String after = resumePoint(partition);
        // Before anything is copied: a task that cannot write its events must not copy objects it cannot record.
        events = new CopyEvents(config.eventsTopic(), partition, source.bucket(), destination.bucket(),
                TaskConverters.of(props, shard));
        String name = props.getOrDefault("name", "bucket-copy") + "-" + shard;
        copy = new ShardCopy(name, settings, selection, after, config.concurrency(),
                pool -> new CopyMetrics(TaskMetrics.forSourceTask(context, props.get("name"), shard), name + ":", pool),
                this::fail, lastTransient::set);
        window = config.concurrency() * WINDOW_PER_SLOT;
        log.info("Copying shard {} of {} of s3://{}/{} to s3://{}/{}: {}, {} objects at once, stream memory bound "
                        + "{} bytes, resuming {}", shard, shards, source.bucket(), source.prefix(),
                destination.bucket(), destination.prefix(), serverSide ? "server-side, in parts above "
                        + config.multipartThresholdBytes() + " bytes" + (settings.streamFallback()
                        ? " (stream fallback)" : "") : "stream",
                config.concurrency(), copy.streamBoundBytes(), after == null ? "from the start"
                        : "after '" + after + "'");
    }

    /**
     * The key after which this shard resumes: the furthest, in listing order (UTF-8 bytes), of the offsets stored
     * under any field order of the partition (see {@link SourcePartitions}); null to start from the beginning.
     */
    private String resumePoint(Map<String, Object> partition) {
        String furthest = null;
        for (Map<String, Object> offset : SourcePartitions.storedOffsets(context.offsetStorageReader(),
                List.of(partition)).get(partition)) {
            Object after = offset.get(CopyEvents.OFFSET_AFTER);
            if (after != null && (furthest == null || Arrays.compareUnsigned(
                    after.toString().getBytes(StandardCharsets.UTF_8), furthest.getBytes(StandardCharsets.UTF_8)) > 0)) {
                furthest = after.toString();
            }
        }
        return furthest;
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        CopyException failure = fatal.get();
        if (failure != null) {
            // Report what finished before the failed object first: its offset is then committed.
            List<SourceRecord> ready = records(copy.tracker().drainReady());
            if (!ready.isEmpty()) {
                return ready;
            }
            throw new ConnectException(failure.getMessage(), failure);
        }
        if (System.nanoTime() - listingRetryAtNanos >= 0) {
            listAndHandOut();
        }
        List<SourceRecord> ready = records(copy.tracker().awaitReady(POLL_WAIT_MS));
        if (ready.isEmpty()) {
            CopyException retrying = lastTransient.getAndSet(null);
            if (retrying != null && fatal.get() == null) {
                throw new RetriableException(retrying.getMessage(), retrying);
            }
            logWhenFinished();
            return null;
        }
        return ready;
    }

    /**
     * Checks the buckets (first poll only) and fills the window. A transient failure is thrown as a
     * {@link RetriableException}, and listing waits with backoff meanwhile, while copies in flight go on.
     */
    private void listAndHandOut() throws InterruptedException {
        try {
            if (!bucketsChecked) {
                copy.checkBuckets();
                bucketsChecked = true;
            }
            copy.fillWindow(window, MAX_PAGES_PER_POLL, () -> fatal.get() != null);
            listingFailures = 0;
        } catch (CopyException e) {
            if (!Failures.retriable(e.failureKind())) {
                throw Failures.toConnect(e.failureKind(), e.getMessage(), e);
            }
            long backoffMs = Backoff.COPY_OBJECT.delayMs(++listingFailures);
            listingRetryAtNanos = System.nanoTime() + backoffMs * 1_000_000L;
            throw Failures.toConnect(e.failureKind(), e.getMessage() + "; listing again in " + backoffMs + " ms", e);
        }
    }

    private List<SourceRecord> records(List<CopyResult> results) {
        List<SourceRecord> records = new ArrayList<>(results.size());
        for (CopyResult result : results) {
            copy.metrics().record(result);
            records.add(events.record(result));
        }
        return records;
    }

    private void logWhenFinished() {
        if (!finishLogged && copy.finished()) {
            finishLogged = true;
            log.info("Finished copying s3://{}/{} (this shard: {} objects listed); objects added later are not "
                    + "copied until the connector's offsets are reset", source.bucket(), source.prefix(),
                    copy.listed());
        }
    }

    private void fail(CopyException e) {
        if (fatal.compareAndSet(null, e)) {
            log.error("Bucket copy fails: {}", e.getMessage());
        }
        copy.tracker().wakeUp();
    }

    @Override
    public void stop() {
        log.info("Stopping the copy of s3://{}/{}; unfinished objects are copied again after a restart",
                source == null ? "?" : source.bucket(), source == null ? "?" : source.prefix());
        if (copy != null) {
            copy.close();
        }
    }
}
