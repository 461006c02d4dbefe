package io.tieredarchive.sink;

import io.tieredarchive.config.VersionInfo;
import io.tieredarchive.metrics.TaskMetrics;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.storage.StorageException;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * Archives the records of its assigned partitions into segments under {@code local.dir}, one active segment per
 * partition ({@link PartitionArchive}), and commits only the offsets of durable records ({@link Durability}).
 *
 * <p>Exactly once, in short: a segment is durable once sealed (fsync, then marker); {@link #preCommit} returns no
 * offset beyond the durable end; {@link #open} deletes unsealed segments and finds where the archive ends; records
 * the archive holds already are skipped and the consumer is moved past them. The full argument is in
 * {@code docs/sink.md}.
 *
 * <p>Write failures (full disk, I/O error): the failing partition's active segment is deleted, the consumer is
 * rewound to the first record of that segment, and {@link RetriableException} is thrown after
 * {@code context.timeout(backoff)}. Connect then delivers the same batch again before the rewound records; the
 * copies of the rewound partition's records in that batch are recognised by identity and dropped, so that the
 * archive goes on from the rewind point, not from the middle of the old batch.
 *
 * <p>S3 trouble: the tier retries uploads on its own threads and the committed offsets simply wait
 * ({@code commit.mode=remote}). When S3 cannot be asked where a partition's archive ends on open, the partition
 * stays unopened: the next {@link #put} asks again and, while it fails, throws {@link RetriableException} after
 * {@code context.timeout(backoff)} before writing anything, so nothing is archived from a guessed position.
 */
public class ArchiveSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(ArchiveSinkTask.class);

    /**
     * The metadata of every offset the task commits. Not empty on purpose: when the task seeks past records the
     * archive holds ({@code context.offset}), Connect's WorkerSinkTask records the seek target as the last committed
     * offset without committing it, and skips any commit equal to its last committed offsets. With empty metadata
     * an offset equal to that target (the common case: everything up to it is already in S3) would then never
     * reach Kafka, and the group's committed offset would stay where it was before the seek. The metadata makes
     * the task's offsets differ from Connect's placeholder, so the first commit after a seek goes through.
     */
    static final String COMMIT_METADATA = "tiered-archive";

    static final long INITIAL_BACKOFF_MS = 1_000L;
    static final long MAX_BACKOFF_MS = 30_000L;
    /** How long put() must succeed after the last failure before the backoff starts at 1 s again. */
    static final long BACKOFF_RESET_AFTER_MS = 2 * MAX_BACKOFF_MS;

    private final LongSupplier clock;
    private final BiFunction<ArchiveSinkConfig, Runnable, Durability> durabilities;
    private final Map<TopicPartition, PartitionArchive> partitions = new HashMap<>();
    /** Set on the tiering thread when a segment of an open partition reached S3: ask Connect to commit soon. */
    private final AtomicBoolean tieredSinceCommit = new AtomicBoolean();
    /** Records of the last put() that failed; Connect delivers the same instances again. */
    private final Set<SinkRecord> failedBatch = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Partitions rewound since the last put() that succeeded: their copies in {@link #failedBatch} are stale. */
    private final Set<TopicPartition> rewound = new HashSet<>();

    private ArchiveSinkConfig config;
    private PartitionOpener opener;
    private RecordConverter converter;
    private Durability durability;
    private BufferBudget budget;
    private SinkMetrics metrics;
    private ErrantRecordReporter reporter;
    private long backoffMs = INITIAL_BACKOFF_MS;
    private long lastFailureMs;
    private long nextAgeCheckMs = Long.MAX_VALUE;
    private volatile int activePartitions;
    private volatile int assignedPartitions;

    public ArchiveSinkTask() {
        this(System::currentTimeMillis, TieredDurability::acquire);
    }

    /**
     * For tests: {@code clock} gives the wall-clock time in milliseconds; {@code durabilities} makes the task's
     * {@link Durability} from its config and the callback to run when a segment reached S3.
     */
    ArchiveSinkTask(LongSupplier clock, BiFunction<ArchiveSinkConfig, Runnable, Durability> durabilities) {
        this.clock = clock;
        this.durabilities = durabilities;
    }

    @Override
    public String version() {
        return VersionInfo.version();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new ArchiveSinkConfig(props);
        String writerId = config.connectorName() + "-" + config.taskIndex() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        SegmentWriterOptions options = new SegmentWriterOptions(config.compressionType(), config.compressionLevel(),
                config.batchBytes(), writerId);
        try {
            Files.createDirectories(config.localDir());
        } catch (IOException e) {
            throw new ConnectException("Cannot create local.dir " + config.localDir() + ": " + e, e);
        }
        converter = RecordConverter.fromConnectorConfig(props);
        try {
            durability = durabilities.apply(config, () -> tieredSinceCommit.set(true));
        } catch (RuntimeException e) { // a bad s3.* value that validate() could not see, e.g. an endpoint's scheme
            converter.close();
            throw new ConnectException("Cannot start the S3 tier of " + config.localDir() + ": " + e.getMessage(), e);
        }
        opener = new PartitionOpener(config.localDir(), durability, options, config.segmentBytes(),
                config.segmentMs(), this::onSealed);
        budget = new BufferBudget(BufferBudget.limitFor(config.batchBytes()));
        metrics = new SinkMetrics(TaskMetrics.forSinkTask(context, config.connectorName(), config.taskIndex()),
                writerId, budget, () -> activePartitions, () -> assignedPartitions, durability::tieringStats, clock);
        reporter = context.errantRecordReporter();
        log.info("Archive sink task {} started: writer {}, local.dir {}, buffer budget {} bytes, commit.mode={} "
                        + "(offsets are committed once segments are {})", config.taskIndex(), writerId,
                config.localDir(), budget.limit(), config.commitMode(),
                "remote".equals(config.commitMode()) ? "verified in S3" : "sealed locally");
    }

    @Override
    public void open(Collection<TopicPartition> assigned) {
        for (TopicPartition tp : assigned) {
            if (!partitions.containsKey(tp) && !opener.isPending(tp)) {
                PartitionArchive opened = opener.open(tp);
                if (opened != null) {
                    partitions.put(tp, opened);
                }
            }
        }
        forgetFailedBatch();
        updateGauges();
    }

    /**
     * Opens the partitions S3 could not be asked about yet; while that fails, throws {@link RetriableException}
     * after a backoff, before any record of the batch is written.
     */
    private void openPending() {
        try {
            opener.openPending(p -> partitions.put(p.topicPartition(), p));
        } catch (StorageException e) {
            long wait = backOff();
            log.warn("S3 still cannot say where an assigned partition's archive ends ({}); retrying in {} ms",
                    e.getMessage(), wait);
            throw new RetriableException("Cannot ask S3 where an assigned partition's archive ends: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Asks Connect to wait before it calls put() again: 1 s, doubling to 30 s while failures repeat, back to 1 s
     * once put() has succeeded for {@link #BACKOFF_RESET_AFTER_MS} after the last failure.
     */
    private long backOff() {
        lastFailureMs = clock.getAsLong();
        long wait = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        context.timeout(wait);
        return wait;
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        long now = clock.getAsLong();
        if (opener.hasPending()) {
            openPending();
        }
        if (tieredSinceCommit.getAndSet(false)) {
            context.requestCommit();
        }
        sealExpired(now, records, true);
        boolean retrying = !failedBatch.isEmpty();
        Map<TopicPartition, Boolean> lastSkipped = new HashMap<>();
        int written = 0;
        int skipped = 0;
        for (SinkRecord record : records) {
            TopicPartition tp = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
            if (retrying && rewound.contains(tp) && failedBatch.contains(record)) {
                continue; // a stale copy: the consumer was rewound before these offsets
            }
            PartitionArchive partition = partitions.get(tp);
            if (partition == null) {
                throw new ConnectException("Received " + tp + " offset " + record.originalKafkaOffset()
                        + ", a partition this task has not opened");
            }
            if (!partition.admit(record.originalKafkaOffset())) {
                skipped++;
                lastSkipped.put(tp, true);
                continue;
            }
            lastSkipped.put(tp, false);
            if (append(partition, record, now, records)) {
                written++;
            }
        }
        seekPastSkipped(lastSkipped);
        failedBatch.clear();
        rewound.clear();
        // Not after any put() that succeeds: the retried batch minus its stale copies usually does (it is only
        // buffered), and the failure comes back with the next one. Failures "repeat" until a quiet minute.
        if (now - lastFailureMs >= BACKOFF_RESET_AFTER_MS) {
            backoffMs = INITIAL_BACKOFF_MS;
        }
        metrics.recordsWritten(written);
        metrics.recordsSkipped(skipped);
        updateGauges();
        if (!records.isEmpty()) {
            log.debug("put: {} records, {} appended, {} already archived; {} bytes buffered (budget {})",
                    records.size(), written, skipped, budget.bufferedBytes(), budget.limit());
        }
    }

    /** Converts and appends one record; false when it was sent to the error reporter instead. */
    private boolean append(PartitionArchive partition, SinkRecord record, long now, Collection<SinkRecord> batch) {
        ArchivedRecord archived;
        try {
            archived = converter.convert(record);
        } catch (DataException e) {
            reportBadRecord(record, e);
            return false;
        }
        try {
            budget.reserve(archived.sizeInBytes());
        } catch (BufferBudget.FlushFailedException e) {
            throw failed((PartitionArchive) e.buffer(), -1, e.getCause(), batch);
        }
        try {
            partition.append(archived, now);
        } catch (SegmentException e) {
            throw failed(partition, archived.offset(), e, batch);
        }
        budget.update(partition);
        nextAgeCheckMs = Math.min(nextAgeCheckMs, partition.ageDeadlineMs());
        return true;
    }

    private void reportBadRecord(SinkRecord record, DataException e) {
        String where = record.originalTopic() + "-" + record.originalKafkaPartition() + " offset "
                + record.originalKafkaOffset();
        if (reporter == null) {
            throw new DataException("Cannot turn the record at " + where + " into bytes, and no error reporter is "
                    + "configured (errors.deadletterqueue.topic.name or errors.log.enable): " + e.getMessage(), e);
        }
        log.warn("Sending the record at {} to the error reporter: {}", where, e.getMessage());
        reporter.report(record, e);
    }

    /**
     * Moves the consumer past records the archive holds already, when the last record delivered for a partition
     * was such a record (after a crash between sealing and committing, or a redelivery).
     */
    private void seekPastSkipped(Map<TopicPartition, Boolean> lastSkipped) {
        lastSkipped.forEach((tp, wasSkipped) -> {
            if (wasSkipped) {
                long next = partitions.get(tp).nextOffset();
                log.debug("{}: archive holds the delivered records already; seeking to offset {}", tp, next);
                context.offset(tp, next);
            }
        });
    }

    /**
     * Seals the active segments older than {@code segment.ms}. A failure aborts that segment and rewinds its
     * partition; from put() it is thrown as {@link RetriableException}, from preCommit() only logged (Connect
     * would rewind every partition if preCommit threw).
     */
    private void sealExpired(long now, Collection<SinkRecord> batch, boolean throwOnFailure) {
        if (now < nextAgeCheckMs) {
            return;
        }
        nextAgeCheckMs = Long.MAX_VALUE;
        for (PartitionArchive partition : partitions.values()) {
            try {
                partition.sealIfExpired(now);
                budget.update(partition);
            } catch (SegmentException e) {
                RetriableException failure = failed(partition, -1, e, batch);
                if (throwOnFailure) {
                    nextAgeCheckMs = now; // the partitions not yet checked are checked on the next call
                    throw failure;
                }
            }
            nextAgeCheckMs = Math.min(nextAgeCheckMs, partition.ageDeadlineMs());
        }
    }

    /**
     * Handles a write failure of {@code partition}: deletes its active segment, rewinds the consumer to where the
     * archive ends, asks Connect to back off, and returns the exception to throw.
     */
    private RetriableException failed(PartitionArchive partition, long offset, SegmentException cause,
                                      Collection<SinkRecord> batch) {
        TopicPartition tp = partition.topicPartition();
        long rewindTo = partition.abort(offset);
        budget.remove(partition);
        metrics.segmentAborted();
        rewound.add(tp);
        failedBatch.addAll(batch);
        if (rewindTo >= 0) {
            context.offset(tp, rewindTo);
        }
        long wait = backOff();
        updateGauges();
        log.warn("{}: write failed ({}); rewinding to offset {} and retrying in {} ms", tp, cause.getMessage(),
                rewindTo, wait);
        return new RetriableException("Cannot archive " + tp + (offset >= 0 ? " offset " + offset : "") + ": "
                + cause.getMessage(), cause);
    }

    /** Returns, for each partition whose position is known, the offset below which every record is durable. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        sealExpired(clock.getAsLong(), Collections.emptyList(), false);
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
        for (PartitionArchive partition : partitions.values()) {
            TopicPartition tp = partition.topicPartition();
            long durable = partition.committable(durability.durableEnd(tp));
            OffsetAndMetadata current = currentOffsets.get(tp);
            if (durable >= 0 && current != null) {
                committable.put(tp, new OffsetAndMetadata(Math.min(durable, current.offset()), COMMIT_METADATA));
            }
        }
        updateGauges();
        log.debug("preCommit: {}", committable);
        return committable;
    }

    /** Seals the active segments of the closed partitions (an empty one is aborted) and forgets them. */
    @Override
    public void close(Collection<TopicPartition> closed) {
        long now = clock.getAsLong();
        for (TopicPartition tp : closed) {
            if (opener.forget(tp)) {
                durability.closed(tp);
            }
            PartitionArchive partition = partitions.remove(tp);
            if (partition == null) {
                continue;
            }
            try {
                partition.seal(now);
            } catch (SegmentException e) {
                long from = partition.abort(-1);
                metrics.segmentAborted();
                log.error("{}: cannot seal the active segment on close ({}); it was deleted and its records, "
                        + "from offset {}, will be archived again by the partition's next owner", tp,
                        e.getMessage(), from);
            }
            budget.remove(partition);
            durability.closed(tp);
            log.info("Closed {}: archive ends at offset {}", tp, partition.nextOffset());
        }
        forgetFailedBatch();
        updateGauges();
    }

    @Override
    public void stop() {
        for (PartitionArchive partition : partitions.values()) {
            partition.abort(-1); // only when Connect did not close them first: they will be archived again
        }
        partitions.clear();
        if (opener != null) {
            opener.clear();
        }
        if (converter != null) {
            converter.close();
        }
        if (durability != null) {
            durability.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        log.info("Archive sink task {} stopped", config == null ? "" : config.taskIndex());
    }

    /** Connect drops the batch it would redeliver when partitions are assigned or revoked. */
    private void forgetFailedBatch() {
        failedBatch.clear();
        rewound.clear();
    }

    private void onSealed(PartitionArchive partition, SegmentFiles files, SegmentMetadata meta, long recordBytes) {
        durability.sealed(partition.topicPartition(), files, meta);
        metrics.segmentSealed(meta, recordBytes);
        double ratio = meta.log().size() == 0 ? 0 : (double) recordBytes / meta.log().size();
        log.info("{}: sealed segment {} with offsets {}..{} ({} records), {} bytes on disk, compression ratio {}",
                partition.topicPartition(), files, meta.baseOffset(), meta.lastOffset(), meta.recordCount(),
                meta.log().size(), String.format("%.2f", ratio));
        context.requestCommit();
    }

    private void updateGauges() {
        int active = 0;
        for (PartitionArchive partition : partitions.values()) {
            if (partition.hasActiveSegment()) {
                active++;
            }
        }
        activePartitions = active;
        assignedPartitions = partitions.size();
    }

    /** The task's buffer accounting, for tests. */
    BufferBudget budget() {
        return budget;
    }
}
