package io.tieredarchive.tier.read;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.segment.UncheckedSegmentException;
import io.tieredarchive.tier.remote.PartitionView;
import io.tieredarchive.tier.remote.PartitionView.Hole;

import java.io.Closeable;
import java.util.Iterator;
import java.util.Optional;

/**
 * A position in the archive of one partition, moving forward record by record across segments and tiers. Each
 * offset is returned once, in order, even where two writers' segments overlap. At the end of the archive
 * {@link #next} returns null; called again later, it looks for newly archived segments (at most every
 * {@code refreshIntervalMs}), so a cursor can follow a live archive.
 *
 * <p>A cursor never steps over a {@link Hole} (offsets no segment in the store covers yet, between two that it
 * does): it stops before it, {@link #next} returns null and {@link #hole} names it, until a refresh finds the
 * segment that fills it. Whether to wait or to give up is the caller's choice. Not thread-safe.
 */
public final class ArchiveCursor implements Closeable {

    private final SegmentSource source;
    private PartitionView view;
    private long nextOffset;
    private Long startTimestamp;
    private SegmentReader segment;
    private Iterator<ArchivedRecord> records;
    private long lastRefreshNanos = System.nanoTime();
    private Hole hole;

    ArchiveCursor(SegmentSource source, PartitionView view, long fromOffset, Long startTimestamp) {
        this.source = source;
        this.view = view;
        this.nextOffset = fromOffset;
        this.startTimestamp = startTimestamp;
    }

    /** The offset the next record will have at least. */
    public long nextOffset() {
        return nextOffset;
    }

    /** The view the cursor reads by (refreshed at the end of the archive and at holes). */
    public PartitionView view() {
        return view;
    }

    /** The hole the cursor stopped before at its last {@link #next}, if it did. */
    public Optional<Hole> hole() {
        return Optional.ofNullable(hole);
    }

    /** The next record, or null when the archive holds nothing more now (or only past a {@link #hole}). */
    public ArchivedRecord next() throws SegmentException {
        while (true) {
            try {
                while (records != null && records.hasNext()) {
                    ArchivedRecord r = records.next();
                    if (r.offset() >= nextOffset) {
                        nextOffset = r.offset() + 1;
                        return r;
                    }
                }
            } catch (UncheckedSegmentException e) {
                throw e.getCause();
            }
            closeSegment();
            Optional<SegmentMetadata> next = nextSegment();
            if (next.isEmpty() && refreshDue()) {
                view = source.view(view.archivePartition());
                next = nextSegment();
            }
            if (next.isEmpty()) {
                return null;
            }
            openSegment(next.get());
        }
    }

    /** The segment to read next, or empty at the end of the archive or before a hole (then {@link #hole} is set). */
    private Optional<SegmentMetadata> nextSegment() throws SegmentException {
        Optional<SegmentMetadata> next = view.segmentFrom(nextOffset);
        hole = startTimestamp == null ? next.flatMap(m -> view.holeBefore(m, nextOffset)).orElse(null) : null;
        return hole == null ? next : Optional.empty();
    }

    private void openSegment(SegmentMetadata meta) throws SegmentException {
        segment = source.open(meta, startTimestamp == null ? nextOffset : SegmentSource.OFFSET_NOT_KNOWN);
        if (startTimestamp != null) {
            records = segment.recordsFromTimestamp(startTimestamp);
            startTimestamp = null;
        } else {
            records = segment.recordsFrom(nextOffset);
        }
    }

    private boolean refreshDue() {
        long now = System.nanoTime();
        if (now - lastRefreshNanos >= source.refreshIntervalMs() * 1_000_000L) {
            lastRefreshNanos = now;
            return true;
        }
        return false;
    }

    private void closeSegment() {
        if (segment != null) {
            segment.close();
            segment = null;
            records = null;
        }
    }

    @Override
    public void close() {
        closeSegment();
    }
}
