package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentException;

import java.util.Comparator;
import java.util.HashMap;
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

    private record Entry(Buffer buffer, long id, int bytes) {
    }

    private static final Comparator<Entry> LARGEST_FIRST =
            Comparator.comparingInt(Entry::bytes).reversed().thenComparingLong(Entry::id);

    private final long limit;
    private final Map<Buffer, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> bySize = new TreeSet<>(LARGEST_FIRST);
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
        while (total + needed > limit && !bySize.isEmpty()) {
            Buffer largest = bySize.first().buffer();
            try {
                largest.flushBuffer();
            } catch (SegmentException e) {
                throw new FlushFailedException(largest, e);
            }
            forcedFlushes++;
            update(largest);
        }
    }

    /** Takes {@code buffer}'s current size into account; call after every append, flush, seal or abort. */
    void update(Buffer buffer) {
        Entry old = entries.remove(buffer);
        long before = 0;
        if (old != null) {
            bySize.remove(old);
            before = old.bytes();
        }
        int now = buffer.bufferedBytes();
        if (now > 0) {
            Entry entry = new Entry(buffer, old == null ? nextId++ : old.id(), now);
            entries.put(buffer, entry);
            bySize.add(entry);
        }
        total = total - before + now;
        if (total > peak) {
            peak = total;
        }
    }

    /** Forgets {@code buffer} (its partition was closed or its segment aborted). */
    void remove(Buffer buffer) {
        Entry old = entries.remove(buffer);
        if (old != null) {
            bySize.remove(old);
            total -= old.bytes();
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
