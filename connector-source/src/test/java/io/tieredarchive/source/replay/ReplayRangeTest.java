package io.tieredarchive.source.replay;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentMetadata.FileInfo;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayRangeTest {

    private static SegmentMetadata segment(long base, long last, long firstTs, long maxTs) {
        FileInfo f = new FileInfo(0, "00000000");
        return new SegmentMetadata(1, "t", 0, base, last, last - base + 1, firstTs, maxTs, "none", "w", 0, f, f, f, null, null, -1, null);
    }

    private static ArchivedRecord record(long offset, long ts) {
        return new ArchivedRecord(offset, ts, TimestampType.CREATE_TIME, null, null);
    }

    @Test
    void aStoredOffsetWinsThenTheOffsetThenTheTime() {
        ReplayRange byTime = new ReplayRange(null, null, 1000L, null);
        assertEquals(new ReplayRange.FromOffset(42), byTime.start(42L));
        assertEquals(new ReplayRange.FromTime(1000), byTime.start(null));
        assertEquals(new ReplayRange.FromOffset(7), new ReplayRange(7L, null, null, null).start(null));
        assertEquals(new ReplayRange.FromOffset(0), ReplayRange.ALL.start(null));
    }

    @Test
    void theEndIsExclusive() {
        ReplayRange r = new ReplayRange(null, 100L, null, null);
        assertFalse(r.isPastEnd(record(99, 0)));
        assertTrue(r.isPastEnd(record(100, 0)));
        ReplayRange t = new ReplayRange(null, null, null, 5000L);
        assertFalse(t.isPastEnd(record(1, 4999)));
        assertTrue(t.isPastEnd(record(1, 5000)));
        assertFalse(t.isPastEnd(record(1, -1)), "a record without a timestamp is never past a time");
        assertFalse(ReplayRange.ALL.hasEnd());
        assertFalse(ReplayRange.ALL.isPastEnd(record(Long.MAX_VALUE - 1, Long.MAX_VALUE)));
    }

    @Test
    void anEndOffsetAtASegmentBoundarySkipsTheSegmentAfter() {
        SegmentMetadata next = segment(100, 199, 1000, 1999);
        assertTrue(new ReplayRange(null, 100L, null, null).isPastEnd(100, next), "end at the next base");
        assertFalse(new ReplayRange(null, 101L, null, null).isPastEnd(100, next), "its first record is in range");
        assertTrue(new ReplayRange(null, 150L, null, null).isPastEnd(150, next), "resumed at the end");
        assertFalse(new ReplayRange(null, 150L, null, null).isPastEnd(149, next));
        assertTrue(new ReplayRange(null, 100L, null, null).isPastEnd(95, next), "a gap before the segment");
    }

    @Test
    void anEndTimeBeforeASegmentsFirstRecordSkipsIt() {
        SegmentMetadata next = segment(100, 199, 1000, 1999);
        assertTrue(new ReplayRange(null, null, null, 1000L).isPastEnd(100, next));
        assertFalse(new ReplayRange(null, null, null, 1001L).isPastEnd(100, next));
        assertFalse(new ReplayRange(null, null, null, 1000L).isPastEnd(150, next),
                "entered in the middle: only the records can tell");
    }
}
