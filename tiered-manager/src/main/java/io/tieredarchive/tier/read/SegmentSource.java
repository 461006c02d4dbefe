package io.tieredarchive.tier.read;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.PartitionView;

/** What an {@link ArchiveCursor} reads through: fresh views of a partition, and segments from the nearest tier. */
interface SegmentSource {

    /** The partition as the store shows it now. */
    PartitionView view(ArchivePartition partition) throws SegmentException;

    /** For {@link #open}: the caller does not know where it starts reading (a read from a timestamp). */
    long OFFSET_NOT_KNOWN = Long.MAX_VALUE;

    /**
     * Opens a segment; {@code fromOffset}: the first offset the caller reads there (at or below the base offset: the
     * whole segment), or {@link #OFFSET_NOT_KNOWN}.
     */
    SegmentReader open(SegmentMetadata meta, long fromOffset) throws SegmentException;

    /** At the end of the archive, how often a cursor looks for new segments. */
    long refreshIntervalMs();
}
