package io.tieredarchive.sink;

import java.nio.file.Files;
import java.io.IOException;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;

import io.tieredarchive.tier.remote.ArchivePartition;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * The archive of one assigned topic-partition on this task: where it ends, and its active segment.
 *
 * <p>Offsets: {@link #nextOffset} is the lowest offset the archive still lacks. A record below it is skipped: it
 * is archived already (in a sealed segment, here or elsewhere) or in the active segment, which happens when Kafka
 * delivers records again after a rewind or a retried batch. Records at or above it are appended in the order they
 * come, which is offset order within a partition; gaps (compacted topics) are kept as they are.
 *
 * <p>Where to start: {@code archivedEnd} comes from the sealed local segments (and later S3) when the partition is
 * opened. The consumer's own position is only known from the first record delivered: if that record is below
 * {@code archivedEnd}, the consumer committed less than was archived (a crash between sealing and committing), so
 * the task skips to {@code archivedEnd}; if it is above, another worker archived (and committed) the offsets in
 * between on its own disk, so the archive goes on from there and nothing is written twice. A new segment always
 * starts at the first offset it holds, which is at or above the end of the previous sealed one, so sealed segments
 * never overlap.
 *
 * <p>Which archive: the partition belongs to one incarnation of its topic ({@link ArchivePartition}); its segments'
 * markers record that identity, the destination they are archived to, and where each segment is complete from
 * (the archive's end when the segment started: no record lies between it and the segment's first record).
 *
 * <p>A new incarnation of a topic that has an older one in the archive (the topic was deleted and created again)
 * is archived from its first offset: {@code floor} is the live partition's log start, and when the consumer
 * delivers later records first (a committed offset left from the old topic), {@link #admit} asks the task to rewind
 * the consumer there, once. Offsets delivered below the last one delivered (outside a retried batch) may mean the
 * topic under the name changed: {@link #admit} asks the task to check the identity before anything is skipped.
 *
 * <p>Not thread-safe: the task's thread only.
 */
final class PartitionArchive implements BufferBudget.Buffer {

    private static final Logger log = LoggerFactory.getLogger(PartitionArchive.class);

    /** What to do with a delivered record. */
    enum Admission {
        /** The archive lacks it: append it. */
        APPEND,
        /** The archive holds it already. */
        SKIP,
        /** The archive must start earlier ({@link #rewindTo}): seek the consumer there and skip this record. */
        REWIND,
        /** Offsets went back: check that the topic is still the archived incarnation, then admit it again. */
        CHECK_IDENTITY
    }

    /** Makes the names created in a directory durable (fsync of the directory); tests record the calls. */
    @FunctionalInterface
    interface DirectorySync {
        void fsync(Path dir) throws IOException;
    }

    /** Told about each segment this partition seals. */
    interface SealListener {
        void sealed(PartitionArchive partition, SegmentFiles files, SegmentMetadata metadata, long recordBytes);
    }

    private final TopicPartition tp;
    private final ArchivePartition archive;
    private final Path dir;
    private final SegmentWriterOptions options;
    private final int segmentBytes;
    private final long segmentMs;
    private final SealListener listener;
    private final DirectorySync directorySync;
    private final long archivedEnd;

    private long nextOffset;
    private long firstDelivered = -1;
    private long lastDelivered = -1;
    /** Offsets went back and the topic's identity is not confirmed yet: nothing is skipped until it is. */
    private boolean identityInDoubt;
    /** The offset the archive of a new incarnation starts from; -1 once rewound there, or when none is needed. */
    private long floor;
    private SegmentWriter writer;
    private long segmentStartMs;
    private long segmentRecordBytes;

    /**
     * @param archivedEnd every record below it is archived already; -1 when nothing is
     * @param floor       the first offset of a new incarnation the archive must start from, or -1
     * @param options     the task's options, with this partition's {@link io.tieredarchive.segment.SegmentOrigin}
     */
    PartitionArchive(TopicPartition tp, ArchivePartition archive, Path dir, long archivedEnd, long floor,
                     SegmentWriterOptions options, int segmentBytes, long segmentMs, SealListener listener,
                     DirectorySync directorySync) {
        this.directorySync = directorySync;
        this.tp = tp;
        this.archive = archive;
        this.dir = dir;
        this.archivedEnd = archivedEnd;
        this.floor = archivedEnd < 0 ? floor : -1;
        this.nextOffset = archivedEnd;
        this.options = options;
        this.segmentBytes = segmentBytes;
        this.segmentMs = segmentMs;
        this.listener = listener;
    }

    /** The partition directory for {@code tp} under {@code localDir}: {@code <topic>-<partition>}. */
    static Path directory(Path localDir, TopicPartition tp) {
        return localDir.resolve(tp.topic() + "-" + tp.partition());
    }

    /**
     * Notes that Kafka delivered {@code offset} and says what to do with it. The first offset delivered since
     * open is the consumer's position.
     *
     * @param redelivery true when Connect redelivers a batch after a failed put(): offsets may go back
     */
    Admission admit(long offset, boolean redelivery) {
        if (identityInDoubt) {
            return Admission.CHECK_IDENTITY;
        }
        if (firstDelivered < 0) {
            if (floor >= 0 && offset > floor) {
                return Admission.REWIND;
            }
            floor = -1;
            firstDelivered = offset;
            nextOffset = Math.max(nextOffset, offset);
        } else if (offset <= lastDelivered && !redelivery) {
            identityInDoubt = true;
            return Admission.CHECK_IDENTITY;
        }
        lastDelivered = offset;
        return offset >= nextOffset ? Admission.APPEND : Admission.SKIP;
    }

    /** Where {@link Admission#REWIND} seeks the consumer: the first offset of a new incarnation. */
    long rewindTo() {
        return floor;
    }

    /** The topic is still the archived incarnation: offsets going back from here on are not questioned again. */
    void identityConfirmed(long offset) {
        identityInDoubt = false;
        lastDelivered = offset - 1;
    }

    /**
     * Appends an {@linkplain #admit admitted} record; rolls the active segment first when the record would take it
     * past {@code segment.bytes}, or past what the index's 32-bit offsets and positions address.
     */
    void append(ArchivedRecord record, long nowMs) throws SegmentException {
        long offset = record.offset();
        if (offset < nextOffset) {
            throw new IllegalStateException(tp + ": offset " + offset + " is below the archive's end " + nextOffset);
        }
        if (writer != null && !writer.isEmpty() && (!writer.canAppend(offset) || writer.isFull()
                || writer.sizeInBytes() + record.sizeInBytes() > segmentBytes)) {
            seal(nowMs);
        }
        if (writer == null) {
            ensureDirectory();
            // The segment is complete from the archive's end: no record lies in [nextOffset, offset).
            writer = SegmentWriter.create(dir, tp.topic(), tp.partition(), offset,
                    options.withOrigin(options.origin().startingAt(nextOffset)));
            segmentStartMs = nowMs;
            segmentRecordBytes = 0;
        }
        writer.append(record);
        nextOffset = offset + 1;
        segmentRecordBytes += record.sizeInBytes();
    }

    /**
     * Creates the partition's directory when it is missing, and fsyncs {@code local.dir} so that the new entry is
     * durable before any segment in it is sealed: a crash must not lose a directory whose segments were committed.
     */
    private void ensureDirectory() throws SegmentException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir);
            directorySync.fsync(dir.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new SegmentException("Cannot create the partition directory " + dir + ": " + e, e);
        }
    }

    /** The wall-clock time at which the active segment reaches {@code segment.ms}, or Long.MAX_VALUE. */
    long ageDeadlineMs() {
        return writer == null || writer.isEmpty() ? Long.MAX_VALUE : segmentStartMs + segmentMs;
    }

    /** Seals the active segment if it is at least {@code segment.ms} old. */
    void sealIfExpired(long nowMs) throws SegmentException {
        if (nowMs >= ageDeadlineMs()) {
            seal(nowMs);
        }
    }

    /**
     * Seals the active segment: the records in it become durable locally. An empty segment is aborted instead
     * (never sealed). On failure the segment is left to the caller to {@link #abort}.
     */
    void seal(long nowMs) throws SegmentException {
        if (writer == null) {
            return;
        }
        if (writer.isEmpty()) {
            writer.abort();
            writer = null;
            return;
        }
        SegmentWriter sealing = writer;
        SegmentMetadata meta = sealing.seal(nowMs);
        writer = null;
        listener.sealed(this, sealing.files(), meta, segmentRecordBytes);
    }

    /**
     * Deletes the active segment, if any, and returns the offset to rewind the consumer to: every record below it
     * is archived (in a sealed segment here, or before this task's first record, elsewhere).
     *
     * @param failedOffset the offset of the record being written when the failure happened, or -1
     */
    long abort(long failedOffset) {
        long rewindTo;
        if (writer != null) {
            rewindTo = writer.baseOffset();
            log.warn("{}: aborting active segment {} (offsets {}..{}); its records will be archived again",
                    tp, writer.files(), writer.baseOffset(), writer.lastOffset());
            writer.abort();
            writer = null;
        } else {
            rewindTo = nextOffset >= 0 ? nextOffset : failedOffset;
        }
        if (rewindTo >= 0) {
            nextOffset = rewindTo;
        }
        lastDelivered = -1; // the consumer is rewound: offsets going back are expected
        return rewindTo;
    }

    /**
     * The offset the task may commit: everything below it is durable per {@code durableEnd} or lies below the
     * consumer's position when the partition was opened. -1 before the first record since open: the task has no
     * position of its own yet (OpenPartitions then takes Connect's, which is that position).
     */
    long committable(long durableEnd) {
        return firstDelivered < 0 ? -1 : Math.max(firstDelivered, durableEnd);
    }

    @Override
    public int bufferedBytes() {
        return writer == null ? 0 : writer.bufferedBytes();
    }

    @Override
    public void flushBuffer() throws SegmentException {
        if (writer != null) {
            writer.flushBatch();
        }
    }

    TopicPartition topicPartition() {
        return tp;
    }

    /** The incarnation's partition this archive belongs to. */
    ArchivePartition archivePartition() {
        return archive;
    }

    long nextOffset() {
        return nextOffset;
    }

    long archivedEnd() {
        return archivedEnd;
    }

    boolean hasActiveSegment() {
        return writer != null && !writer.isEmpty();
    }

    /** Base offset of the active segment, or -1. */
    long activeBaseOffset() {
        return writer == null ? -1 : writer.baseOffset();
    }
}
