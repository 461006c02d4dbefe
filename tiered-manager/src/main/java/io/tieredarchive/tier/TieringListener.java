package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentMetadata;
import org.apache.kafka.common.TopicPartition;

/** Told when a segment is safe in the store (uploaded, its marker proven). Called on the tiering thread. */
@FunctionalInterface
public interface TieringListener {

    void segmentTiered(TopicPartition tp, SegmentMetadata meta);
}
