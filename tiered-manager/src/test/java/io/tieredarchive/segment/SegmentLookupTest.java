package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.drain;
import static io.tieredarchive.segment.TestSegments.options;
import static io.tieredarchive.segment.TestSegments.records;
import static io.tieredarchive.segment.TestSegments.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tieredarchive.segment.SegmentMetadata.FileInfo;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Offset and timestamp lookups at batch boundaries, inside batches, in gaps and outside the segment. */
class SegmentLookupTest {

    @TempDir
    Path dir;

    private SegmentFiles files;
    private List<Long> positions;

    /**
     * Four batches, cut by hand: [100 101 102] gap [110 112 115] [116 117 118] (LOG_APPEND_TIME) [119 120].
     * Timestamps go back and forth inside batches, as producers' clocks do.
     */
    @BeforeEach
    void writeSegment() throws Exception {
        try (SegmentWriter writer = SegmentWriter.create(dir, "t", 0, 100, options("lz4", 1 << 20))) {
            append(writer, 100, 1000, 101, 1010, 102, 1005);
            writer.flushBatch();
            append(writer, 110, 990, 112, 1020, 115, 1015);
            writer.flushBatch();
            for (long offset = 116; offset <= 118; offset++) {
                writer.append(new ArchivedRecord(offset, 1030, TimestampType.LOG_APPEND_TIME, null, new byte[] {1}));
            }
            append(writer, 119, 1025, 120, 1040);
            writer.seal(5000);
        }
        files = SegmentFiles.of(dir, 100);
        positions = new ArrayList<>();
        try (FileRecords log = FileRecords.open(files.log().toFile())) {
            for (FileChannelRecordBatch batch : log.batches()) {
                positions.add((long) batch.position());
            }
        }
        assertEquals(4, positions.size(), "batches as cut by the test");
    }

    private static void append(SegmentWriter writer, long... offsetTimestampPairs) throws SegmentException {
        for (int i = 0; i < offsetTimestampPairs.length; i += 2) {
            writer.append(new ArchivedRecord(offsetTimestampPairs[i], offsetTimestampPairs[i + 1],
                    TimestampType.CREATE_TIME, ("k" + offsetTimestampPairs[i]).getBytes(), new byte[] {2}));
        }
    }

    @Test
    void offsetLookups() throws Exception {
        try (SegmentReader reader = SegmentReader.open(files)) {
            assertOffset(reader, 100, 0, 100);   // first offset of the first batch
            assertOffset(reader, 102, 0, 102);   // last offset of the first batch
            assertOffset(reader, 103, 1, 110);   // in the gap between batches
            assertOffset(reader, 110, 1, 110);   // first of a batch
            assertOffset(reader, 111, 1, 112);   // a gap inside a batch
            assertOffset(reader, 115, 1, 115);   // last of a batch
            assertOffset(reader, 116, 2, 116);
            assertOffset(reader, 118, 2, 118);
            assertOffset(reader, 119, 3, 119);
            assertOffset(reader, 120, 3, 120);   // last of the segment
            assertOffset(reader, 0, 0, 100);     // before the base
            assertOffset(reader, 99, 0, 100);
            assertEquals(-1, reader.positionOf(121)); // after the last
            assertFalse(reader.recordsFrom(121).hasNext());
            assertFalse(reader.recordsFrom(Long.MAX_VALUE).hasNext());
        }
    }

    private void assertOffset(SegmentReader reader, long offset, int batch, long firstReturned) throws Exception {
        assertEquals(positions.get(batch), reader.positionOf(offset), "position of offset " + offset);
        List<ArchivedRecord> records = drain(reader.recordsFrom(offset));
        assertEquals(firstReturned, records.get(0).offset(), "first record from offset " + offset);
        assertEquals(120, records.get(records.size() - 1).offset());
    }

    @Test
    void timestampLookups() throws Exception {
        try (SegmentReader reader = SegmentReader.open(files)) {
            assertTimestamp(reader, 0, 0, 100);       // before every timestamp
            assertTimestamp(reader, 1000, 0, 100);
            assertTimestamp(reader, 1001, 0, 101);    // inside the first batch
            assertTimestamp(reader, 1010, 0, 101);    // the first batch's max
            assertTimestamp(reader, 1011, 1, 112);    // 110 has 990: skipped, it is earlier
            assertTimestamp(reader, 1020, 1, 112);
            assertTimestamp(reader, 1021, 2, 116);    // LOG_APPEND_TIME batch
            assertTimestamp(reader, 1030, 2, 116);
            assertTimestamp(reader, 1031, 3, 120);    // 119 has 1025: skipped
            assertTimestamp(reader, 1040, 3, 120);    // the segment's max
            assertEquals(-1, reader.positionOfTimestamp(1041));
            assertFalse(reader.recordsFromTimestamp(1041).hasNext());
            ArchivedRecord appendTime = reader.recordsFromTimestamp(1030).next();
            assertEquals(TimestampType.LOG_APPEND_TIME, appendTime.timestampType());
            assertEquals(1030, appendTime.timestamp());
        }
    }

    private void assertTimestamp(SegmentReader reader, long timestamp, int batch, long firstReturned)
            throws Exception {
        assertEquals(positions.get(batch), reader.positionOfTimestamp(timestamp), "position of time " + timestamp);
        assertEquals(firstReturned, reader.recordsFromTimestamp(timestamp).next().offset(),
                "first record from time " + timestamp);
    }

    @Test
    void everyOffsetOfALargeSegmentThroughSmallReads(@TempDir Path other) throws Exception {
        List<ArchivedRecord> written = records(7_000, 2_000, 3);
        SegmentMetadata meta = write(other, 7_000, written, options("zstd", 4096));
        SegmentFiles large = SegmentFiles.of(other, 7_000);
        // A 1 KiB read buffer is smaller than most batches: every batch spans several reads.
        try (SegmentReader reader = SegmentReader.open(meta, new FileByteSource(large.log()),
                new FileByteSource(large.offsetIndex()), new FileByteSource(large.timeIndex()), 1024)) {
            for (int i = 0; i < written.size(); i += 37) {
                long offset = written.get(i).offset();
                assertEquals(written.subList(i, written.size()), drain(reader.recordsFrom(offset)));
                // One below: the record before if it has that offset, else (a gap) this record.
                ArchivedRecord expected = i > 0 && written.get(i - 1).offset() == offset - 1
                        ? written.get(i - 1) : written.get(i);
                assertEquals(expected, reader.recordsFrom(offset - 1).next(), "from offset " + (offset - 1));
            }
            for (int i = 0; i < written.size(); i += 53) {
                long timestamp = written.get(i).timestamp();
                int first = 0;
                while (written.get(first).timestamp() < timestamp) {
                    first++;
                }
                assertEquals(written.get(first), reader.recordsFromTimestamp(timestamp).next(), "time " + timestamp);
            }
        }
    }

    @Test
    void sparseIndexesAsKafkaWritesThemGiveTheSameAnswers(@TempDir Path other) throws Exception {
        List<ArchivedRecord> written = records(0, 1_500, 8);
        SegmentMetadata meta = write(other, 0, written, options("snappy", 2048));
        SegmentFiles large = SegmentFiles.of(other, 0);
        // Keep every fourth entry of each index, as a broker with index.interval.bytes > batch size would.
        byte[] offsetIndex = everyFourth(Files.readAllBytes(large.offsetIndex()), 8);
        byte[] timeIndex = everyFourth(Files.readAllBytes(large.timeIndex()), 12);
        Files.write(large.offsetIndex(), offsetIndex);
        Files.write(large.timeIndex(), timeIndex);
        SegmentMetadata sparse = new SegmentMetadata(meta.formatVersion(), meta.topic(), meta.partition(),
                meta.baseOffset(), meta.lastOffset(), meta.recordCount(), meta.firstTimestamp(), meta.maxTimestamp(),
                meta.codec(), meta.writerId(), meta.sealedAtMs(), meta.log(), FileInfo.of(offsetIndex),
                FileInfo.of(timeIndex), meta.clusterId(), meta.topicId(), meta.startOffset(), meta.destination());
        try (SegmentReader reader = SegmentReader.open(sparse, new FileByteSource(large.log()),
                new FileByteSource(large.offsetIndex()), new FileByteSource(large.timeIndex()))) {
            for (int i = 0; i < written.size(); i += 13) {
                assertEquals(written.get(i), reader.recordsFrom(written.get(i).offset()).next());
                long timestamp = written.get(i).timestamp() - 1;
                ArchivedRecord expected = written.stream().filter(r -> r.timestamp() >= timestamp).findFirst()
                        .orElseThrow();
                assertEquals(expected, reader.recordsFromTimestamp(timestamp).next(), "time " + timestamp);
            }
            assertEquals(written, drain(reader.recordsFrom(0)));
        }
    }

    private static byte[] everyFourth(byte[] index, int entrySize) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        for (int i = 0; i * entrySize < index.length; i += 4) {
            kept.write(index, i * entrySize, entrySize);
        }
        return kept.toByteArray();
    }
}
