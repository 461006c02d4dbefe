package io.tieredarchive.source.replay;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;

/**
 * Which records of each archived partition are replayed: from a start to an end, each given by offset or by time,
 * both optional. The start is inclusive, the end exclusive, so consecutive windows never overlap and never leave a
 * record out.
 * <ul>
 *   <li>By offset: records with {@code startOffset <= offset < endOffset}.</li>
 *   <li>By time, Kafka's offsets-for-times rule: from the first record (in offset order) whose timestamp is at or
 *       after {@code startTime}, up to (not including) the first record after it whose timestamp is at or after
 *       {@code endTime}. In a partition whose timestamps do not rise with offsets, a record inside the offsets so
 *       found may carry a timestamp outside the window; it is replayed, as a consumer seeking by time would read
 *       it.</li>
 * </ul>
 * A partition with a stored source offset resumes there, whatever the start.
 *
 * @param startOffset first offset replayed, or null
 * @param endOffset   first offset not replayed, or null
 * @param startTime   epoch ms of the start, or null
 * @param endTime     epoch ms of the end, or null
 */
public record ReplayRange(Long startOffset, Long endOffset, Long startTime, Long endTime) {

    /** Everything archived. */
    public static final ReplayRange ALL = new ReplayRange(null, null, null, null);

    /** Where a partition's replay begins. */
    public sealed interface Start {
    }

    /** At the first archived record with an offset at or after {@code offset}. */
    public record FromOffset(long offset) implements Start {
    }

    /** At the first archived record whose timestamp is at or after {@code timestamp}. */
    public record FromTime(long timestamp) implements Start {
    }

    /**
     * Where a partition begins: after the last record replayed ({@code storedNextOffset}, from Connect's offset
     * storage) when there is one, else at the configured start, else at the partition's first archived record.
     */
    public Start start(Long storedNextOffset) {
        if (storedNextOffset != null) {
            return new FromOffset(storedNextOffset);
        }
        if (startOffset != null) {
            return new FromOffset(startOffset);
        }
        if (startTime != null) {
            return new FromTime(startTime);
        }
        return new FromOffset(0);
    }

    public boolean hasEnd() {
        return endOffset != null || endTime != null;
    }

    /** True when {@code record} and everything after it in its partition lie past the end. */
    public boolean isPastEnd(ArchivedRecord record) {
        return isPastEnd(record.offset(), record.timestamp());
    }

    boolean isPastEnd(long offset, long timestamp) {
        return (endOffset != null && offset >= endOffset) || (endTime != null && timestamp >= endTime);
    }

    /**
     * True when reading from {@code nextOffset}, whose next record is in {@code segment}, can yield nothing: the
     * next offset is at or past the end offset, or the segment starts at {@code nextOffset} or later with a first
     * record already at or past the end time. Saves reading a segment only to stop at its first record.
     */
    public boolean isPastEnd(long nextOffset, SegmentMetadata segment) {
        if (endOffset != null && Math.max(nextOffset, segment.baseOffset()) >= endOffset) {
            return true;
        }
        return endTime != null && segment.baseOffset() >= nextOffset && segment.firstTimestamp() >= endTime;
    }
}
