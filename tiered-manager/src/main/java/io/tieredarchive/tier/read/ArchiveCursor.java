package io.tieredarchive.tier.read;

import io.tieredarchive.tier.remote.PartitionView;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.segment.UncheckedSegmentException;

import java.io.Closeable;
import java.util.Iterator;
import java.util.Optional;

/**
 * A position in the archive of one partition, moving forward record by record across segments and tiers. Each
 * offset is returned once, in order, even where two writers' segments overlap. At the end of the archive
 * {@link #next} returns null; called again later, it looks for newly archived segments (at most every
 * {@code refreshIntervalMs}), so a cursor can follow a live archive. Not thread-safe.
 */
public final class ArchiveCursor implements Closeable {

    private final ArchiveReader reader;
    private final String topic;
    private final int partition;
    private PartitionView view;
    private long nextOffset;
    private Long startTimestamp;
    private SegmentReader segment;
    private Iterator<ArchivedRecord> records;
    private long lastRefreshNanos = System.nanoTime();

    ArchiveCursor(ArchiveReader reader, PartitionView view, long fromOffset, Long startTimestamp) {
        this.reader = reader;
        this.topic = view.topic();
        this.partition = view.partition();
        this.view = view;
        this.nextOffset = fromOffset;
        this.startTimestamp = startTimestamp;
    }

    /** The offset the next record will have at least. */
    public long nextOffset() {
        return nextOffset;
    }

    /** The next record, or null when the archive holds nothing more now. */
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
            Optional<SegmentMetadata> next = view.segmentFrom(nextOffset);
            if (next.isEmpty() && refreshDue()) {
                view = reader.store().view(topic, partition);
                next = view.segmentFrom(nextOffset);
            }
            if (next.isEmpty()) {
                return null;
            }
            openSegment(next.get());
        }
    }

    private void openSegment(SegmentMetadata meta) throws SegmentException {
        boolean whole = startTimestamp == null && nextOffset <= meta.baseOffset();
        segment = reader.open(meta, whole);
        if (startTimestamp != null) {
            records = segment.recordsFromTimestamp(startTimestamp);
            startTimestamp = null;
        } else {
            records = segment.recordsFrom(nextOffset);
        }
    }

    private boolean refreshDue() {
        long now = System.nanoTime();
        if (now - lastRefreshNanos >= reader.options().refreshIntervalMs() * 1_000_000L) {
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
