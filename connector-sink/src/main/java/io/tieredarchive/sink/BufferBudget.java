package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The task-wide limit on record bytes held in memory, whatever the number of partitions. Each partition's open
 * batch is a {@link Buffer}; before a record is appended the task {@linkplain #reserve reserves} room for it, which
 * writes the largest open batches to disk first until the record fits. A batch flushed early is only smaller (it
 * compresses less well); nothing else changes.
 *
 * <p>The limit, from {@link #limitFor(int)}: {@code max(2 * batch.bytes, min(64 MiB, 16 * batch.bytes))}, i.e. 16
 * full batches (16 MiB at the default batch.bytes of 1 MiB), never more than 64 MiB unless two batches need more.
 * A single record larger than the limit is the only way past it: it is held alone while it is appended.
 *
 * <p>The accounting is exposed ({@link #bufferedBytes()}, {@link #peakBytes()}, {@link #forcedFlushes()}) through
 * the task's metrics, so that a test or an operator can check it. Not thread-safe: used by the task's thread; the
 * counters it exposes are volatile for the metrics reporter's thread.
 */
final class BufferBudget {

    /**
     * Room to reserve on top of {@code ArchivedRecord.sizeInBytes()}: the 61-byte header of a new v2 batch, and the
     * 15 bytes of key length, value length and header count varints at their widest, which that estimate omits.
     */
    static final int RESERVE_SLACK = 61 + 15;
    static final long CAP_BYTES = 64L * 1024 * 1024;
    static final int BATCHES = 16;

    /** One partition's open batch. */
    interface Buffer {
        /** Bytes held in memory now. */
        int bufferedBytes();

        /** Writes the open batch to disk, so that {@link #bufferedBytes()} becomes 0. */
        void flushBuffer() throws SegmentException;
    }

    /**
     * A buffer's accounting: {@code bytes} is its size now, {@code filedBytes} the size it is filed under in
     * {@link #bySize} (0: not filed). Appends change only {@code bytes} and mark the entry stale; the order is
     * brought up to date when the budget must choose what to flush, so that the common append costs a hash lookup
     * and no re-sorting.
     */
    private static final class Entry {
        final Buffer buffer;
        final long id;
        int bytes;
        int filedBytes;
        boolean stale;

        Entry(Buffer buffer, long id) {
            this.buffer = buffer;
            this.id = id;
        }
    }

    private static final Comparator<Entry> LARGEST_FIRST =
            Comparator.comparingInt((Entry e) -> e.filedBytes).reversed().thenComparingLong(e -> e.id);

    private final long limit;
    private final Map<Buffer, Entry> entries = new IdentityHashMap<>();
    private final TreeSet<Entry> bySize = new TreeSet<>(LARGEST_FIRST);
    /** Entries whose {@code bytes} changed since they were filed. */
    private final List<Entry> stale = new ArrayList<>();
    private long nextId;
    private volatile long total;
    private volatile long peak;
    private volatile long forcedFlushes;

    BufferBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("buffer budget must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /** The budget for a task whose batches hold {@code batchBytes}: see the class comment. */
    static long limitFor(int batchBytes) {
        return Math.max(2L * batchBytes, Math.min(CAP_BYTES, (long) BATCHES * batchBytes));
    }

    /** A forced flush failed: {@link #buffer()} is the buffer whose write failed. */
    static final class FlushFailedException extends Exception {
        private final transient Buffer buffer;

        FlushFailedException(Buffer buffer, SegmentException cause) {
            super(cause.getMessage(), cause);
            this.buffer = buffer;
        }

        Buffer buffer() {
            return buffer;
        }

        @Override
        public synchronized SegmentException getCause() {
            return (SegmentException) super.getCause();
        }
    }

    /**
     * Makes room for {@code incomingBytes} more (plus {@link #RESERVE_SLACK}): flushes the largest buffers first
     * until they fit or nothing is left to flush. A failed flush leaves the accounting of that buffer as it was;
     * the caller aborts that buffer's segment and {@link #update}s or {@link #remove}s it.
     */
    void reserve(int incomingBytes) throws FlushFailedException {
        long needed = (long) incomingBytes + RESERVE_SLACK;
        if (total + needed <= limit) {
            return;
        }
        fileStale();
        while (total + needed > limit && !bySize.isEmpty()) {
            Buffer largest = bySize.first().buffer;
            try {
                largest.flushBuffer();
            } catch (SegmentException e) {
                throw new FlushFailedException(largest, e);
            }
            forcedFlushes++;
            update(largest);
            fileStale();
        }
    }

    /** Takes {@code buffer}'s current size into account; call after every append, flush, seal or abort. */
    void update(Buffer buffer) {
        int now = buffer.bufferedBytes();
        Entry entry = entries.get(buffer);
        if (entry == null) {
            if (now == 0) {
                return;
            }
            entry = new Entry(buffer, nextId++);
            entries.put(buffer, entry);
        }
        long newTotal = total - entry.bytes + now;
        entry.bytes = now;
        if (!entry.stale) {
            entry.stale = true;
            stale.add(entry);
        }
        total = newTotal;
        if (newTotal > peak) {
            peak = newTotal;
        }
    }

    /** Files the stale entries under their current size; forgets those now empty. */
    private void fileStale() {
        for (Entry entry : stale) {
            if (entry.filedBytes > 0) {
                bySize.remove(entry);
            }
            entry.stale = false;
            entry.filedBytes = entry.bytes;
            if (entry.bytes > 0) {
                bySize.add(entry);
            } else {
                entries.remove(entry.buffer);
            }
        }
        stale.clear();
    }

    /** Forgets {@code buffer} (its partition was closed or its segment aborted). */
    void remove(Buffer buffer) {
        Entry old = entries.remove(buffer);
        if (old != null) {
            if (old.filedBytes > 0) {
                bySize.remove(old);
            }
            if (old.stale) {
                stale.remove(old);
            }
            total -= old.bytes;
        }
    }

    long limit() {
        return limit;
    }

    /** Bytes held in all open batches now. */
    long bufferedBytes() {
        return total;
    }

    /** The most bytes ever held at once, measured after every append. */
    long peakBytes() {
        return peak;
    }

    /** How many batches were written early to stay within the limit. */
    long forcedFlushes() {
        return forcedFlushes;
    }
}
