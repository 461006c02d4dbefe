package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TieringStats;
import io.tieredarchive.tier.remote.ArchivePartition;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which archived records are durable, i.e. which offsets the sink may commit to Kafka, as
 * {@code commit.mode} defines it. The task asks it where a partition's archive ends when the partition is opened,
 * tells it about every segment sealed locally, and commits no offset beyond {@link #durableEnd}.
 *
 * <p>Partitions are {@link ArchivePartition}s: one incarnation of a topic (cluster id and topic id). The
 * implementation is {@link TieredDurability}, on the worker's S3 tier: {@link #archivedEnd} also looks at the
 * markers in the task's own store, {@link #sealed} queues the segment for upload, and {@link #durableEnd} moves,
 * with {@code commit.mode=remote}, only once a segment is verified in S3 (with {@code local}, once it is sealed).
 * Called by the task's thread only.
 */
public interface Durability extends AutoCloseable {

    /** Where this task's segments go: the destination its markers record (bucket, prefix, endpoint). */
    String destination();

    /**
     * True when a segment sealed for {@code destination} (under an older config) can still be uploaded from this
     * worker: its records then count as archived while it drains there.
     */
    boolean canUpload(String destination);

    /**
     * Where the archive of {@code p} ends, asked when the partition is opened: every record below the returned
     * offset is archived already and must not be written again.
     *
     * @param localSealedEnd the offset after the last record of the sealed local segments that count, -1 if none
     * @return the offset below which the archive is complete, -1 when nothing is known to be archived
     * @throws SegmentException when the store cannot be asked ({@link io.tieredarchive.tier.storage.StorageException}:
     *                          retry later) or holds something unreadable
     */
    long archivedEnd(ArchivePartition p, long localSealedEnd) throws SegmentException;

    /**
     * {@link #archivedEnd} for every partition a task opens at once; the implementation on S3 answers them with
     * a few listings per incarnation rather than requests per partition.
     *
     * @param opening per partition, where its counted local sealed segments end and their markers (whose copies in
     *                the store need not be read)
     * @return per partition, the offset below which the archive is complete, -1 when nothing is known
     */
    default Map<ArchivePartition, Long> archivedEnds(Map<ArchivePartition, LocalSegments> opening)
            throws SegmentException {
        Map<ArchivePartition, Long> ends = new LinkedHashMap<>();
        for (Map.Entry<ArchivePartition, LocalSegments> e : opening.entrySet()) {
            ends.put(e.getKey(), archivedEnd(e.getKey(), e.getValue().sealedEnd()));
        }
        return ends;
    }

    /**
     * What a partition's local directory holds when it is opened: the end of its sealed segments that count as
     * archived (-1 if none), and the markers of its sealed segments.
     */
    record LocalSegments(long sealedEnd, List<SegmentMetadata> markers) {
    }

    /**
     * True when the store holds an identified incarnation of {@code p}'s topic other than {@code p}'s: the topic
     * was deleted and created again, or another cluster archives a topic of that name here.
     */
    boolean hasOtherIncarnation(ArchivePartition p) throws SegmentException;

    /** A segment of {@code p} was sealed locally: its files are fsynced and its marker written. */
    void sealed(ArchivePartition p, SegmentFiles files, SegmentMetadata metadata);

    /** The offset below which every archived record of {@code p} is durable; -1 when none is known to be. */
    long durableEnd(ArchivePartition p);

    /** {@code p} was closed on this task. */
    void closed(ArchivePartition p);

    /** What the tiering service behind this durability holds and has done now, for the task's metrics. */
    TieringStats tieringStats();

    @Override
    void close();
}
