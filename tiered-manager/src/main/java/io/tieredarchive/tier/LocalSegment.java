package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.ArchivePartition;
import org.apache.kafka.common.TopicPartition;

/**
 * A sealed segment on the worker's disk, as the tiering pass sees it.
 *
 * @param files  its files
 * @param meta   its marker
 * @param tiered true once it is uploaded and proven by the store (its {@code .tiered} file exists)
 */
public record LocalSegment(SegmentFiles files, SegmentMetadata meta, boolean tiered) {

    public TopicPartition topicPartition() {
        return new TopicPartition(meta.topic(), meta.partition());
    }

    /** The partition of the incarnation the segment belongs to. */
    public ArchivePartition archivePartition() {
        return ArchivePartition.of(meta);
    }

    /** Bytes on disk: the three data files (the marker is negligible). */
    public long bytes() {
        return meta.log().size() + meta.offsetIndex().size() + meta.timeIndex().size();
    }

    public LocalSegment withTiered(boolean nowTiered) {
        return new LocalSegment(files, meta, nowTiered);
    }
}
