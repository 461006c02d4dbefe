package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TieringStats;

import org.apache.kafka.common.TopicPartition;

/**
 * Decides which archived records are durable, i.e. which offsets the sink may commit to Kafka, as
 * {@code commit.mode} defines it. The task asks it where a partition's archive ends when the partition is opened,
 * tells it about every segment sealed locally, and commits no offset beyond {@link #durableEnd}.
 *
 * <p>The implementation is {@link TieredDurability}, on the worker's S3 tier: {@link #archivedEnd} also looks at the
 * markers in S3, {@link #sealed} queues the segment for upload, and {@link #durableEnd} moves, with
 * {@code commit.mode=remote}, only once a segment is verified in S3 (with {@code local}, once it is sealed).
 * Called by the task's thread only.
 */
public interface Durability extends AutoCloseable {

    /**
     * Where the archive of {@code tp} ends, asked when the partition is opened: every record below the returned
     * offset is archived already and must not be written again.
     *
     * @param localSealedEnd the offset after the last record of the sealed local segments, -1 when there are none
     * @return the offset below which the archive is complete, -1 when nothing is known to be archived
     * @throws SegmentException when the store cannot be asked ({@link io.tieredarchive.tier.storage.StorageException}:
     *                          retry later) or holds something unreadable
     */
    long archivedEnd(TopicPartition tp, long localSealedEnd) throws SegmentException;

    /** A segment of {@code tp} was sealed locally: its files are fsynced and its marker written. */
    void sealed(TopicPartition tp, SegmentFiles files, SegmentMetadata metadata);

    /** The offset below which every archived record of {@code tp} is durable; -1 when none is known to be. */
    long durableEnd(TopicPartition tp);

    /** {@code tp} was closed on this task. */
    void closed(TopicPartition tp);

    /** What the tiering service behind this durability holds and has done now, for the task's metrics. */
    TieringStats tieringStats();

    @Override
    void close();
}
