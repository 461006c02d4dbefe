package io.tieredarchive.cli;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.PartitionView;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code TOPIC PARTITION [--from-offset N | --from-time T]}: where a read of one partition starts. */
final class ReadStart {

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;
    @Parameters(index = "1", paramLabel = "PARTITION")
    int partition;
    @Option(names = "--from-offset", paramLabel = "OFFSET", description = "First offset (default: the start).")
    Long fromOffset;
    @Option(names = "--incarnation", paramLabel = "WHICH", defaultValue = "latest", description = "Which "
            + "incarnation of the topic: latest (default), legacy, <clusterId>.<topicId> or a topic id.")
    String incarnation;
    @Option(names = "--from-time", paramLabel = "TIME", description = "Instead of --from-offset: from the first "
            + "record with a timestamp at or after TIME (ISO-8601 or epoch ms).")
    String fromTime;

    /** Fails when both starts are given. */
    void check() {
        if (fromOffset != null && fromTime != null) {
            throw new IllegalArgumentException("--from-offset and --from-time exclude each other");
        }
    }

    /** The partition to read, of the chosen incarnation. */
    ArchivePartition partition(RemoteSegmentStore store) throws SegmentException {
        return Partitions.one(store, topic, partition, new IncarnationSelection(incarnation));
    }

    /** The start time, or null when the read starts from an offset. */
    Long timestamp() {
        return fromTime == null ? null : Partitions.parseTime(fromTime);
    }

    /** --from-offset, or the base of the first segment holding --from-time, or 0. */
    long offset(PartitionView view) {
        if (fromTime == null) {
            return fromOffset == null ? 0 : fromOffset;
        }
        return view.segmentFromTimestamp(timestamp()).map(SegmentMetadata::baseOffset)
                .orElse(Math.max(view.endOffset(), 0));
    }
}
