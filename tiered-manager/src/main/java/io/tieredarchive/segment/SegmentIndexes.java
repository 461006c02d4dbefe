package io.tieredarchive.segment;

import java.nio.ByteBuffer;
import java.util.function.IntToLongFunction;

/**
 * A segment's {@code .index} and {@code .timeindex}, loaded into memory (they are small: 8 and 12 bytes per
 * batch) and checked, with Kafka's lookups: the largest entry at or below the target, by binary search.
 * The entries give a batch to start scanning from; they may be sparse.
 */
final class SegmentIndexes {

    private final long baseOffset;
    private final int[] relativeOffsets;
    private final int[] positions;
    private final long[] timestamps;
    private final long[] timeOffsets;

    private SegmentIndexes(long baseOffset, int[] relativeOffsets, int[] positions, long[] timestamps,
                           long[] timeOffsets) {
        this.baseOffset = baseOffset;
        this.relativeOffsets = relativeOffsets;
        this.positions = positions;
        this.timestamps = timestamps;
        this.timeOffsets = timeOffsets;
    }

    /**
     * Parses both indexes and checks them: whole entries, offsets and timestamps strictly ascending, positions
     * ascending and inside the {@code .log}.
     */
    static SegmentIndexes parse(long baseOffset, long logSize, byte[] offsetIndex, String offsetIndexName,
                                byte[] timeIndex, String timeIndexName) throws CorruptSegmentException {
        if (offsetIndex.length % IndexBuilder.OFFSET_ENTRY_SIZE != 0) {
            throw new CorruptSegmentException(offsetIndexName, -1, "size " + offsetIndex.length
                    + " is not a multiple of " + IndexBuilder.OFFSET_ENTRY_SIZE);
        }
        if (timeIndex.length % IndexBuilder.TIME_ENTRY_SIZE != 0) {
            throw new CorruptSegmentException(timeIndexName, -1, "size " + timeIndex.length
                    + " is not a multiple of " + IndexBuilder.TIME_ENTRY_SIZE);
        }
        int n = offsetIndex.length / IndexBuilder.OFFSET_ENTRY_SIZE;
        int[] relativeOffsets = new int[n];
        int[] positions = new int[n];
        ByteBuffer in = ByteBuffer.wrap(offsetIndex);
        for (int i = 0; i < n; i++) {
            relativeOffsets[i] = in.getInt();
            positions[i] = in.getInt();
            if (relativeOffsets[i] < 0 || positions[i] < 0 || positions[i] >= logSize
                    || (i > 0 && (relativeOffsets[i] <= relativeOffsets[i - 1] || positions[i] <= positions[i - 1]))) {
                throw new CorruptSegmentException(offsetIndexName, (long) i * IndexBuilder.OFFSET_ENTRY_SIZE,
                        "entry " + i + " (relative offset " + relativeOffsets[i] + ", position " + positions[i]
                                + ") is out of order or outside the log (" + logSize + " bytes)");
            }
        }
        int m = timeIndex.length / IndexBuilder.TIME_ENTRY_SIZE;
        long[] timestamps = new long[m];
        long[] timeOffsets = new long[m];
        in = ByteBuffer.wrap(timeIndex);
        for (int i = 0; i < m; i++) {
            timestamps[i] = in.getLong();
            int relative = in.getInt();
            timeOffsets[i] = baseOffset + relative;
            boolean ascending = i == 0
                    || (timestamps[i] > timestamps[i - 1] && timeOffsets[i] >= timeOffsets[i - 1]);
            if (relative < 0 || !ascending) {
                throw new CorruptSegmentException(timeIndexName, (long) i * IndexBuilder.TIME_ENTRY_SIZE,
                        "entry " + i + " (timestamp " + timestamps[i] + ", relative offset " + relative
                                + ") is out of order");
            }
        }
        return new SegmentIndexes(baseOffset, relativeOffsets, positions, timestamps, timeOffsets);
    }

    /** Position of the indexed batch with the largest offset at or below {@code offset}; 0 when none is. */
    long startPositionForOffset(long offset) {
        int found = floor(relativeOffsets.length, i -> relativeOffsets[i], offset - baseOffset);
        return found < 0 ? 0 : positions[found];
    }

    /**
     * The last offset the offset index records for the batch at {@code position}, or -1 when no entry names that
     * position. A batch's base offset and length lie outside its CRC; this catches a flipped bit there.
     */
    long indexedLastOffsetAt(long position) {
        int found = floor(positions.length, i -> positions[i], position);
        return found >= 0 && positions[found] == position ? baseOffset + relativeOffsets[found] : -1;
    }

    /**
     * Offset of the time index entry with the largest timestamp at or below {@code timestamp}: every batch up to
     * the one ending at that offset holds only smaller or equal timestamps. {@code baseOffset} when none is.
     */
    long startOffsetForTimestamp(long timestamp) {
        int found = floor(timestamps.length, i -> timestamps[i], timestamp);
        return found < 0 ? baseOffset : timeOffsets[found];
    }

    /** Index of the last of {@code n} ascending keys that is at or below {@code target}; -1 when none is. */
    private static int floor(int n, IntToLongFunction key, long target) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (key.applyAsLong(mid) <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    int offsetEntries() {
        return positions.length;
    }

    int timeEntries() {
        return timestamps.length;
    }
}
