package io.tieredarchive.sink;

import io.tieredarchive.config.CommitMode;
import io.tieredarchive.config.VersionInfo;
import io.tieredarchive.metrics.TaskMetrics;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.LocalTier;

import org.apache.kafka.clients.admin.Admin;
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

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Archives the records of its assigned partitions into segments under {@code local.dir}, one active segment per
 * partition ({@link PartitionArchive}), and commits only the offsets of durable records ({@link Durability}).
 *
 * <p>Exactly once, in short: a segment is durable once sealed (fsync, then marker); {@link #preCommit} returns no
 * offset beyond the durable end; {@link #open} deletes unsealed segments and finds where the archive of the live
 * incarnation of the topic ends ({@link PartitionOpener}); records the archive holds already are skipped and the
 * consumer is moved past them. The full argument is in {@code docs/sink.md}.
 *
 * <p>A topic is known by its identity, not only its name: offsets of a topic deleted and created again, or of
 * another cluster's topic, are never taken for archived ones. Offsets delivered out of order, and every
 * {@link #IDENTITY_CHECK_INTERVAL_MS}, make the task ask Kafka again; a partition whose topic changed is sealed and
 * opened again as the new incarnation ({@link PartitionOpening}).
 *
 * <p>Write failures (full disk, I/O error): the failing partition's active segment is deleted, the consumer is
 * rewound to the first record of that segment, and {@link RetriableException} is thrown after
 * {@code context.timeout(backoff)}. Connect then delivers the same batch again before the rewound records; the
 * copies of the rewound partition's records in that batch are recognised by identity and dropped
 * ({@link RetryState}), so that the archive goes on from the rewind point, not from the middle of the old batch.
 *
 * <p>S3 trouble: the tier retries uploads on its own threads and the committed offsets simply wait
 * ({@code commit.mode=remote}). When S3 or Kafka cannot be asked where a partition's archive ends on open, the
 * partition stays unopened: the next {@link #put} asks again and, while it fails, throws
 * {@link RetriableException} after {@code context.timeout(backoff)} before writing anything, so nothing is archived
 * from a guessed position.
 */
public class ArchiveSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(ArchiveSinkTask.class);

    /**
     * The metadata of every offset the task commits. Not empty on purpose: when the task seeks past records the
     * archive holds ({@code context.offset}), Connect's WorkerSinkTask records the seek target as the last committed
     * offset without committing it, and skips any commit equal to its last committed offsets. With empty metadata
     * an offset equal to that target (the common case: everything up to it is already in S3) would then never
     * reach Kafka, and the group's committed offset would stay where it was before the seek. The metadata makes
     * the task's offsets differ from Connect's placeholder, so the first commit after a seek goes through. An offset
     * committed before is committed again as {@code tiered-archive#n} ({@link OpenPartitions#committable}): on
     * KIP-848's consumer, a commit Connect skips at a revocation kills the task.
     */
    static final String COMMIT_METADATA = "tiered-archive";

    /** How often the identity of the open partitions' topics is checked while records flow. */
    static final long IDENTITY_CHECK_INTERVAL_MS = 60_000L;

    private final LongSupplier clock;
    private final Collaborators collaborators;
    /** Set on the tiering thread when a segment of an open partition reached S3: ask Connect to commit soon. */
    private final AtomicBoolean tieredSinceCommit = new AtomicBoolean();

    private ArchiveSinkConfig config;
    private PartitionOpening opening;
    private TaskResources resources;
    private OpenPartitions partitions;
    private RecordConverter converter;
    private Durability durability;
    private BufferBudget budget;
    private SinkMetrics metrics;
    private ErrantRecordReporter reporter;
    private RetryState retry;

    /**
     * What the task is built on: its durability (tier), where it learns topic identities, and how it makes new
     * directory entries durable. For tests.
     */
    record Collaborators(Function<ArchiveSinkConfig, Function<Runnable, Durability>> durabilities,
                         Function<ArchiveSinkConfig, TopicIdentities> identities,
                         PartitionArchive.DirectorySync directorySync) {

        Collaborators(Function<ArchiveSinkConfig, Function<Runnable, Durability>> durabilities,
                      Function<ArchiveSinkConfig, TopicIdentities> identities) {
            this(durabilities, identities, LocalTier::fsyncDirectory);
        }
    }

    public ArchiveSinkTask() {
        this(System::currentTimeMillis, new Collaborators(config -> onTiered -> TieredDurability.acquire(config,
                onTiered), config -> new AdminTopicIdentities(() -> Admin.create(config.adminConfig()))));
    }

    /** For tests: {@code clock} gives the wall-clock time in milliseconds. */
    ArchiveSinkTask(LongSupplier clock, Collaborators collaborators) {
        this.clock = clock;
        this.collaborators = collaborators;
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
        resources = TaskResources.open(config, props, collaborators, () -> tieredSinceCommit.set(true), clock);
        converter = resources.converter();
        durability = resources.durability();
        retry = new RetryState(clock);
        budget = new BufferBudget(BufferBudget.limitFor(config.batchBytes()));
        partitions = new OpenPartitions(budget);
        PartitionOpener opener = new PartitionOpener(config.localDir(), durability, resources.identities(), options,
                config.segmentBytes(), config.segmentMs(), this::onSealed, clock, collaborators.directorySync());
        opening = new PartitionOpening(opener, partitions, new IdentityWatch(resources.identities(), clock,
                IDENTITY_CHECK_INTERVAL_MS), retry, context, tp -> close(List.of(tp)));
        metrics = new SinkMetrics(TaskMetrics.forSinkTask(context, config.connectorName(), config.taskIndex()),
                writerId, budget, partitions::activeCount, partitions::assignedCount, durability::tieringStats, clock);
        reporter = context.errantRecordReporter();
        log.info("Archive sink task {} started: writer {}, local.dir {} to {}, buffer budget {} bytes, "
                        + "commit.mode={} (offsets are committed once segments are {})", config.taskIndex(), writerId,
                config.localDir(), durability.destination(), budget.limit(), config.commitMode().configValue(),
                config.commitMode() == CommitMode.REMOTE ? "verified in S3" : "sealed locally");
    }

    @Override
    public void open(Collection<TopicPartition> assigned) {
        opening.open(assigned);
        partitions.updateGauges();
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        long now = clock.getAsLong();
        opening.beforeBatch();
        if (tieredSinceCommit.getAndSet(false)) {
            context.requestCommit();
        }
        partitions.sealExpired(now, (partition, e) -> failed(partition, -1, e, records), true);
        boolean redelivery = retry.redelivering();
        Map<TopicPartition, Boolean> lastSkipped = new HashMap<>();
        Set<TopicPartition> rewinding = new HashSet<>();
        int written = 0;
        int skipped = 0;
        // Connect delivers a partition's records in runs: the lookup is done once per run, not per record.
        TopicPartition tp = null;
        PartitionArchive partition = null;
        Boolean noted = null; // what lastSkipped holds for tp, as far as this run has told it
        for (SinkRecord record : records) {
            if (retry.isStale(record)) {
                continue; // a stale copy: the consumer was rewound before these offsets
            }
            if (tp == null || tp.partition() != record.originalKafkaPartition()
                    || !tp.topic().equals(record.originalTopic())) {
                tp = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
                partition = partitions.get(tp);
                noted = null;
            }
            if (rewinding.contains(tp)) {
                continue;
            }
            if (partition == null) {
                throw new ConnectException("Received " + tp + " offset " + record.originalKafkaOffset()
                        + ", a partition this task has not opened");
            }
            PartitionArchive.Admission admission = partition.admit(record.originalKafkaOffset(), redelivery);
            if (admission == PartitionArchive.Admission.CHECK_IDENTITY) {
                partition = opening.verifyIdentity(partition, record.originalKafkaOffset());
                admission = partition.admit(record.originalKafkaOffset(), redelivery);
            }
            switch (admission) {
                case APPEND -> {
                    if (noted != Boolean.FALSE) {
                        lastSkipped.put(tp, false);
                        noted = Boolean.FALSE;
                    }
                    if (append(partition, record, now, records)) {
                        written++;
                    }
                }
                case SKIP -> {
                    skipped++;
                    if (noted != Boolean.TRUE) {
                        lastSkipped.put(tp, true);
                        noted = Boolean.TRUE;
                    }
                }
                case REWIND -> {
                    rewinding.add(tp);
                    lastSkipped.remove(tp);
                    noted = null;
                    context.offset(tp, partition.rewindTo());
                }
                default -> throw new IllegalStateException(tp + ": offset " + record.originalKafkaOffset()
                        + " still questioned after its topic's identity was checked");
            }
        }
        seekPastSkipped(lastSkipped);
        retry.succeeded();
        metrics.recordsWritten(written);
        metrics.recordsSkipped(skipped);
        partitions.updateGauges();
        capPollAtSegmentAge(now);
        if (!records.isEmpty()) {
            log.debug("put: {} records, {} appended, {} already archived; {} bytes buffered (budget {})",
                    records.size(), written, skipped, budget.bufferedBytes(), budget.limit());
        }
    }

    /**
     * Makes Connect call this task again when the oldest active segment reaches {@code segment.ms}, even if no more
     * records come. Connect's poll otherwise waits for records until its next offset commit
     * ({@code offset.flush.interval.ms}, 60 s by default; 5 s on the benchmark stack) before it calls put() again,
     * and the last segments of a burst waited that long to be sealed. {@code context.timeout} caps the next poll
     * (Connect reads it once, before that poll). A backoff asked for after a failure (a write, or an open that
     * could not ask where the archive ends) is never shortened: no cap until a put succeeds again.
     */
    private void capPollAtSegmentAge(long now) {
        long deadline = partitions.nextAgeDeadlineMs();
        if (deadline != Long.MAX_VALUE && !retry.redelivering()) {
            context.timeout(Math.max(1, deadline - now));
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
        partitions.appended(partition);
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
     * Handles a write failure of {@code partition}: deletes its active segment, rewinds the consumer to where the
     * archive ends, asks Connect to back off, and returns the exception to throw.
     */
    private RetriableException failed(PartitionArchive partition, long offset, SegmentException cause,
                                      Collection<SinkRecord> batch) {
        TopicPartition tp = partition.topicPartition();
        long rewindTo = partition.abort(offset);
        budget.remove(partition);
        metrics.segmentAborted();
        if (rewindTo >= 0) {
            context.offset(tp, rewindTo);
        }
        long wait = retry.failed(tp, batch);
        context.timeout(wait);
        partitions.updateGauges();
        log.warn("{}: write failed ({}); rewinding to offset {} and retrying in {} ms", tp, cause.getMessage(),
                rewindTo, wait);
        return new RetriableException("Cannot archive " + tp + (offset >= 0 ? " offset " + offset : "") + ": "
                + cause.getMessage(), cause);
    }

    /** Returns, for each partition Connect asks about, the offset below which every record is durable. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        // A failed seal is only logged here: Connect would rewind every partition if preCommit threw.
        long now = clock.getAsLong();
        partitions.sealExpired(now, (partition, e) -> failed(partition, -1, e, List.of()), false);
        Map<TopicPartition, OffsetAndMetadata> committable =
                partitions.committable(durability, currentOffsets, COMMIT_METADATA);
        partitions.updateGauges();
        capPollAtSegmentAge(now);
        log.debug("preCommit: {}", committable);
        return committable;
    }

    /** Seals the active segments of the closed partitions (an empty one is aborted) and forgets them. */
    @Override
    public void close(Collection<TopicPartition> closed) {
        long now = clock.getAsLong();
        for (TopicPartition tp : closed) {
            opening.forget(tp);
            PartitionArchive partition = partitions.close(tp, now, metrics::segmentAborted);
            if (partition == null) {
                continue;
            }
            durability.closed(partition.archivePartition());
            log.info("Closed {}: archive ends at offset {}", partition.archivePartition(), partition.nextOffset());
        }
        retry.forget(closed);
        partitions.updateGauges();
    }

    @Override
    public void stop() {
        if (partitions != null) {
            partitions.abortAll(); // only when Connect did not close them first: they will be archived again
        }
        if (opening != null) {
            opening.clear();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (resources != null) {
            resources.close();
        }
        log.info("Archive sink task {} stopped", config == null ? "" : config.taskIndex());
    }

    private void onSealed(PartitionArchive partition, SegmentFiles files, SegmentMetadata meta, long recordBytes) {
        durability.sealed(partition.archivePartition(), files, meta);
        metrics.segmentSealed(meta, recordBytes);
        double ratio = meta.log().size() == 0 ? 0 : (double) recordBytes / meta.log().size();
        log.info("{}: sealed segment {} with offsets {}..{} ({} records), {} bytes on disk, compression ratio {}",
                partition.archivePartition(), files, meta.baseOffset(), meta.lastOffset(), meta.recordCount(),
                meta.log().size(), String.format("%.2f", ratio));
        context.requestCommit();
    }

    /** The task's buffer accounting, for tests. */
    BufferBudget budget() {
        return budget;
    }

    /** What the task remembers of failed writes, for tests. */
    RetryState retryState() {
        return retry;
    }
}
