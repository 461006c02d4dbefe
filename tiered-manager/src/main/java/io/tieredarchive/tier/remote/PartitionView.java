package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The segments of one partition in the archive, as a reader sees them at one moment: the manifest's, plus the
 * markers listed after it. Segments may overlap (two writers archived the same offsets after a rebalance); the
 * records at one offset are the same in each, so a reader reads each offset once, from whichever segment
 * {@link #segmentFrom} picks.
 *
 * <p>A marker missing from the manifest (its writer crashed before registering it, or two writers raced on a store
 * without conditional writes) can only matter where the known segments leave offsets uncovered. So before
 * answering for an offset in such a gap, the view lists the markers between the two segments around it (one LIST
 * request, once per gap) and adds what it finds. On a compacted topic the gaps are real and the listing finds
 * nothing.
 */
public final class PartitionView {

    /** Lists the markers whose base offsets lie in a range; what a {@link RemoteSegmentStore} provides. */
    @FunctionalInterface
    public interface MarkerLister {
        /**
         * The markers with {@code fromBase <= baseOffset < toBase}; {@code toBase} -1 means no upper bound.
         */
        List<SegmentMetadata> markers(long fromBase, long toBase) throws SegmentException;
    }

    /** Offsets {@code [from, to)} that no segment covers, with segments on both sides. */
    public record Hole(long from, long to) {
        @Override
        public String toString() {
            return "offsets " + from + ".." + (to - 1);
        }
    }

    private final ArchivePartition archivePartition;
    private final List<SegmentMetadata> segments = new ArrayList<>();
    private final Set<String> known = new HashSet<>();
    private final Set<Long> listedGaps = new HashSet<>();
    private final MarkerLister lister;

    public PartitionView(ArchivePartition archivePartition, Collection<SegmentMetadata> segments,
                         MarkerLister lister) {
        this.archivePartition = archivePartition;
        this.lister = lister;
        add(segments);
    }

    public ArchivePartition archivePartition() {
        return archivePartition;
    }

    public String topic() {
        return archivePartition.topic();
    }

    public int partition() {
        return archivePartition.partition();
    }

    /** Every non-empty segment known, by base offset then writer. */
    public synchronized List<SegmentMetadata> segments() {
        return List.copyOf(segments);
    }

    /** The first offset archived, or -1 when nothing is. */
    public synchronized long startOffset() {
        return segments.isEmpty() ? -1 : segments.get(0).baseOffset();
    }

    /** The offset after the last record archived, or -1 when nothing is. */
    public synchronized long endOffset() {
        return segments.stream().mapToLong(SegmentMetadata::nextOffset).max().orElse(-1);
    }

    /**
     * The segment to read {@code offset} from: one holding it (the one reaching furthest when several do), else
     * the first segment after it; empty when no segment holds {@code offset} or anything after it.
     */
    public synchronized Optional<SegmentMetadata> segmentFrom(long offset) throws SegmentException {
        SegmentMetadata found = pick(offset);
        if (found != null && found.baseOffset() <= offset) {
            return Optional.of(found);
        }
        long before = -1;
        for (SegmentMetadata s : segments) {
            if (s.baseOffset() <= offset) {
                before = Math.max(before, s.baseOffset());
            }
        }
        long gapFrom = Math.max(before, 0);
        long gapTo = found == null ? -1 : found.baseOffset();
        if (gapTo >= 0 && listedGaps.add(gapFrom)) {
            // Offsets [offset, gapTo) are covered by no known segment: look for markers missing from the manifest.
            add(lister.markers(gapFrom, gapTo));
            found = pick(offset);
        }
        return Optional.ofNullable(found);
    }

    /**
     * The hole a reader at {@code offset} would step over to reach {@code next} (the segment {@link #segmentFrom}
     * returned): empty when {@code next} holds {@code offset}, when it is complete from {@code offset} or before
     * (a compacted gap), when it does not say where it is complete from (legacy), or when no segment lies before
     * {@code offset} (the start of the archive is not a hole).
     */
    public synchronized Optional<Hole> holeBefore(SegmentMetadata next, long offset) {
        if (next.baseOffset() <= offset || next.startOffset() < 0 || next.completeFrom() <= offset) {
            return Optional.empty();
        }
        boolean before = segments.stream().anyMatch(s -> s.baseOffset() < offset);
        return before ? Optional.of(new Hole(offset, next.completeFrom())) : Optional.empty();
    }

    /**
     * The first segment, in offset order, holding a record with a timestamp at or after {@code timestamp}
     * (its max timestamp is); empty when none does. Looks at the known segments only.
     */
    public synchronized Optional<SegmentMetadata> segmentFromTimestamp(long timestamp) {
        return segments.stream().filter(s -> s.maxTimestamp() >= timestamp).findFirst();
    }

    /**
     * The segments a reader goes through to read offsets {@code fromOffset..toOffset} (inclusive; -1: to the end),
     * in order, each offset in one of them.
     */
    public List<SegmentMetadata> chain(long fromOffset, long toOffset) throws SegmentException {
        List<SegmentMetadata> chain = new ArrayList<>();
        Optional<SegmentMetadata> next = segmentFrom(fromOffset);
        while (next.isPresent() && (toOffset < 0 || next.get().baseOffset() <= toOffset)) {
            chain.add(next.get());
            next = segmentFrom(next.get().nextOffset());
        }
        return chain;
    }

    /** Adds segments found later (newly uploaded markers); ignores those already known and empty ones. */
    public synchronized void add(Collection<SegmentMetadata> more) {
        for (SegmentMetadata m : more) {
            if (m.recordCount() > 0 && known.add(RemoteLayout.markerName(m))) {
                segments.add(m);
            }
        }
        segments.sort(SegmentManifest.ORDER);
    }

    /** Among segments with records at or after {@code offset}: one holding it reaching furthest, else the first. */
    private SegmentMetadata pick(long offset) {
        SegmentMetadata holding = null;
        SegmentMetadata after = null;
        for (SegmentMetadata s : segments) {
            if (s.lastOffset() < offset) {
                continue;
            }
            if (s.baseOffset() <= offset) {
                if (holding == null || s.lastOffset() > holding.lastOffset()) {
                    holding = s;
                }
            } else if (after == null) {
                after = s;
            }
        }
        return holding != null ? holding : after;
    }
}
