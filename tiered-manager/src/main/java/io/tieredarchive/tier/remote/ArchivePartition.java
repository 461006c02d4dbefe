package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentMetadata;

import java.util.Objects;

/**
 * One partition of one incarnation of a topic: the unit the archive is kept in. Its segments form one chain of
 * offsets; two incarnations of a topic never share a chain, even where their offsets coincide.
 */
public record ArchivePartition(String topic, Incarnation incarnation, int partition) {

    public ArchivePartition {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(incarnation, "incarnation");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative, got " + partition);
        }
    }

    /** A partition of the legacy incarnation (archives written before identities existed). */
    public static ArchivePartition legacy(String topic, int partition) {
        return new ArchivePartition(topic, Incarnation.LEGACY, partition);
    }

    /** The partition a marker belongs to. */
    public static ArchivePartition of(SegmentMetadata meta) {
        return new ArchivePartition(meta.topic(), Incarnation.of(meta), meta.partition());
    }

    /** True when {@code meta} is a segment of this partition. */
    public boolean holds(SegmentMetadata meta) {
        return meta.topic().equals(topic) && meta.partition() == partition
                && incarnation.sameAs(meta.clusterId(), meta.topicId());
    }

    @Override
    public String toString() {
        return topic + "-" + partition + (incarnation.isLegacy() ? "" : " (" + incarnation.id() + ")");
    }
}
