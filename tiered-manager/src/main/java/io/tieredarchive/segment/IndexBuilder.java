package io.tieredarchive.segment;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Builds a segment's {@code .index} and {@code .timeindex} the way Kafka's {@code LogSegment} does, from the
 * batches in the order they sit in the {@code .log}, with one offset-index entry per batch (Kafka's
 * {@code index.interval.bytes} = 0). It also sums up what the marker records.
 * <ul>
 *   <li>offset index: for each batch, {@code (lastOffset - baseOffset, position)};</li>
 *   <li>time index: for each batch whose max timestamp is larger than every earlier one,
 *       {@code (maxTimestamp, lastOffset - baseOffset)}: Kafka's "offset of the max timestamp so far" is the last
 *       offset of the batch holding it, which is what Kafka's {@code DumpLogSegments} checks.</li>
 * </ul>
 */
final class IndexBuilder {

    static final int OFFSET_ENTRY_SIZE = 8;
    static final int TIME_ENTRY_SIZE = 12;

    private final long baseOffset;
    private final ByteArrayOutputStream offsetIndex = new ByteArrayOutputStream();
    private final ByteArrayOutputStream timeIndex = new ByteArrayOutputStream();
    private final ByteBuffer entry = ByteBuffer.allocate(TIME_ENTRY_SIZE);

    private long lastOffset;
    private long recordCount;
    private long firstTimestamp = BatchHeader.NO_TIMESTAMP;
    private long maxTimestamp = BatchHeader.NO_TIMESTAMP;
    private int batchCount;

    IndexBuilder(long baseOffset) {
        this.baseOffset = baseOffset;
        this.lastOffset = baseOffset - 1;
    }

    /**
     * Records the batch at byte {@code position} of the log. The caller has checked that the batch is valid, that
     * its offsets follow the previous batch's and that {@code position} fits in an int.
     */
    void add(int position, BatchHeader batch) {
        int relativeLast = relative(batch.lastOffset());
        entry.clear().putInt(relativeLast).putInt(position);
        offsetIndex.write(entry.array(), 0, OFFSET_ENTRY_SIZE);
        if (batch.maxTimestamp() > maxTimestamp) {
            maxTimestamp = batch.maxTimestamp();
            entry.clear().putLong(maxTimestamp).putInt(relativeLast);
            timeIndex.write(entry.array(), 0, TIME_ENTRY_SIZE);
        }
        if (batchCount == 0) {
            firstTimestamp = batch.firstTimestamp(); // from the header: no record is decoded
        }
        batchCount++;
        recordCount += batch.recordCount();
        lastOffset = batch.lastOffset();
    }

    private int relative(long offset) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " cannot be indexed relative to base offset "
                    + baseOffset);
        }
        return (int) relative;
    }

    /** Heap the entries take: each stream's array is at least 32 bytes and at most twice its contents. */
    long retainedBytes() {
        return TIME_ENTRY_SIZE + Math.max(32, 2L * offsetIndex.size()) + Math.max(32, 2L * timeIndex.size());
    }

    byte[] offsetIndexBytes() {
        return offsetIndex.toByteArray();
    }

    byte[] timeIndexBytes() {
        return timeIndex.toByteArray();
    }

    long lastOffset() {
        return lastOffset;
    }

    long recordCount() {
        return recordCount;
    }

    long firstTimestamp() {
        return firstTimestamp;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    int batchCount() {
        return batchCount;
    }
}
