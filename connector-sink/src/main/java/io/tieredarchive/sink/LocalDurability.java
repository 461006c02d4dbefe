package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code commit.mode=local}, and for now {@code remote} too: a record is durable once the segment holding it is
 * sealed on local disk (the three files fsynced, then the marker written atomically).
 */
final class LocalDurability implements Durability {

    private final Map<TopicPartition, Long> ends = new HashMap<>();

    @Override
    public long archivedEnd(TopicPartition tp, long localSealedEnd) {
        ends.put(tp, localSealedEnd);
        return localSealedEnd;
    }

    @Override
    public void sealed(TopicPartition tp, SegmentFiles files, SegmentMetadata metadata) {
        ends.merge(tp, metadata.lastOffset() + 1, Math::max);
    }

    @Override
    public long durableEnd(TopicPartition tp) {
        return ends.getOrDefault(tp, -1L);
    }

    @Override
    public void closed(TopicPartition tp) {
        ends.remove(tp);
    }

    @Override
    public void close() {
        ends.clear();
    }
}
