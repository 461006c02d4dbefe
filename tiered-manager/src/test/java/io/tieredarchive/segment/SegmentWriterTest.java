package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.PARTITION;
import static io.tieredarchive.segment.TestSegments.T0;
import static io.tieredarchive.segment.TestSegments.TOPIC;
import static io.tieredarchive.segment.TestSegments.drain;
import static io.tieredarchive.segment.TestSegments.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tieredarchive.config.CompressionCodec;
import io.tieredarchive.testing.CapturedLogs;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

class SegmentWriterTest {

    @TempDir
    Path dir;

    private static ArchivedRecord record(long offset, int valueBytes) {
        return new ArchivedRecord(offset, T0 + offset, TimestampType.CREATE_TIME, null,
                TestSegments.randomBytes(new Random(offset), valueBytes));
    }

    /** What Kafka's own reader sees: timestamp type, record count and uncompressed size of each batch. */
    private record Seen(TimestampType type, int count, int uncompressedBytes) {
    }

    private List<Seen> batches(long baseOffset) throws Exception {
        List<Seen> seen = new ArrayList<>();
        try (FileRecords log = FileRecords.open(SegmentFiles.of(dir, baseOffset).log().toFile())) {
            for (FileChannelRecordBatch batch : log.batches()) {
                int bytes = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
                int count = 0;
                for (Record record : batch) {
                    bytes += record.sizeInBytes();
                    count++;
                }
                seen.add(new Seen(batch.timestampType(), count, bytes));
            }
        }
        return seen;
    }

    @Test
    void batchesHoldUpToBatchBytesUncompressed() throws Exception {
        try (SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 0, options("zstd", 8192))) {
            for (int i = 0; i < 1000; i++) {
                writer.append(record(i, 150));
                assertTrue(writer.bufferedBytes() <= 8192);
            }
            writer.seal(T0);
        }
        List<Seen> batches = batches(0);
        assertEquals(1000, batches.stream().mapToInt(Seen::count).sum());
        for (Seen batch : batches.subList(0, batches.size() - 1)) {
            assertTrue(batch.uncompressedBytes() <= 8192, batch.toString());
            assertTrue(batch.uncompressedBytes() > 8192 - 2 * 200, "batch filled: " + batch);
        }
    }

    @Test
    void recordLargerThanABatchGetsABatchOfItsOwn() throws Exception {
        try (SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 0, options("lz4", 4096))) {
            writer.append(record(0, 10));
            writer.append(record(1, 100_000));
            writer.append(record(2, 10));
            writer.seal(T0);
        }
        assertEquals(List.of(1, 1, 1), batches(0).stream().map(Seen::count).toList());
        try (SegmentReader reader = SegmentReader.open(SegmentFiles.of(dir, 0))) {
            assertEquals(record(1, 100_000), drain(reader.recordsFrom(1)).get(0));
        }
    }

    @Test
    void timestampTypeOrAppendTimeChangeStartsANewBatch() throws Exception {
        List<ArchivedRecord> records = List.of(
                new ArchivedRecord(0, T0, TimestampType.CREATE_TIME, null, null),
                new ArchivedRecord(1, T0 + 5, TimestampType.LOG_APPEND_TIME, null, null),
                new ArchivedRecord(2, T0 + 5, TimestampType.LOG_APPEND_TIME, null, null),
                new ArchivedRecord(3, T0 + 9, TimestampType.LOG_APPEND_TIME, null, null),
                new ArchivedRecord(4, T0 - 100, TimestampType.CREATE_TIME, null, null),
                new ArchivedRecord(5, -1, TimestampType.NO_TIMESTAMP_TYPE, null, null));
        TestSegments.write(dir, 0, records, options("none", 1 << 20));

        assertEquals(List.of(TimestampType.CREATE_TIME, TimestampType.LOG_APPEND_TIME,
                        TimestampType.LOG_APPEND_TIME, TimestampType.CREATE_TIME),
                batches(0).stream().map(Seen::type).toList());
        try (SegmentReader reader = SegmentReader.open(SegmentFiles.of(dir, 0))) {
            assertEquals(records, drain(reader.recordsFrom(0)));
            assertEquals(T0 + 9, reader.metadata().maxTimestamp());
            assertEquals(T0, reader.metadata().firstTimestamp());
        }
    }

    @Test
    void offsetsMustIncreaseAndStayIndexable() throws Exception {
        try (SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 100, options("none", 4096))) {
            assertEquals(99, writer.lastOffset());
            SegmentException below = assertThrows(SegmentException.class, () -> writer.append(record(99, 1)));
            assertTrue(below.getMessage().contains("offset 99"), below.getMessage());
            writer.append(record(105, 1));
            assertThrows(SegmentException.class, () -> writer.append(record(105, 1)));
            assertThrows(SegmentException.class, () -> writer.append(record(104, 1)));
            assertTrue(writer.canAppend(100L + Integer.MAX_VALUE));
            assertFalse(writer.canAppend(101 + (long) Integer.MAX_VALUE));
            assertThrows(SegmentException.class, () -> writer.append(record(101 + (long) Integer.MAX_VALUE, 1)));
            assertThrows(SegmentException.class, () -> writer.append(
                    new ArchivedRecord(106, -5, TimestampType.CREATE_TIME, null, null)));
            writer.append(record(200, 1));
            assertEquals(200, writer.lastOffset());
            assertEquals(2, writer.recordCount());
        }
    }

    @Test
    void sizesAndCounts() throws Exception {
        try (SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 0, options("gzip", 1 << 20))) {
            assertTrue(writer.isEmpty());
            assertEquals(0, writer.sizeInBytes());
            writer.append(record(0, 1000));
            assertFalse(writer.isEmpty());
            assertTrue(writer.bufferedBytes() >= 1000);
            assertTrue(writer.sizeInBytes() > 0);
            writer.flushBatch();
            assertEquals(0, writer.bufferedBytes());
            assertEquals(Files.size(writer.files().log()), writer.sizeInBytes());
            SegmentMetadata meta = writer.seal(T0);
            assertEquals(meta.log().size(), Files.size(writer.files().log()));
            assertThrows(SegmentException.class, () -> writer.append(record(1, 1)), "sealed writer is closed");
        }
    }

    @Test
    void aWriterBetweenBatchesRetainsNoBuffer() throws Exception {
        for (String codec : List.of("none", "zstd", "lz4")) {
            Path partitionDir = dir.resolve(codec);
            try (SegmentWriter writer = SegmentWriter.create(partitionDir, TOPIC, PARTITION, 0,
                    options(codec, 1 << 20))) {
                assertTrue(writer.retainedBytes() < 1024, codec + " before any batch: " + writer.retainedBytes());
                for (int batch = 0; batch < 10; batch++) {
                    int expected = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
                    for (int i = 0; i < 50; i++) {
                        long offset = batch * 50L + i;
                        writer.append(record(offset, 2000));
                        int before = expected;
                        expected = writer.bufferedBytes();
                        assertTrue(expected > before + 2000 && expected <= before + record(offset, 2000).sizeInBytes(),
                                codec + ": bufferedBytes grows by the record: " + before + " -> " + expected);
                        assertTrue(writer.retainedBytes() >= (codec.equals("none") ? expected : 0));
                    }
                    long open = writer.retainedBytes();
                    long onDisk = Files.size(writer.files().log());
                    writer.flushBatch();
                    if (codec.equals("none")) {
                        assertEquals(expected, Files.size(writer.files().log()) - onDisk, "the batch as buffered");
                        assertTrue(open <= 2L * expected + OpenBatch.INITIAL_BUFFER_BYTES, "buffer " + open);
                    }
                    assertEquals(0, writer.bufferedBytes());
                    assertTrue(writer.retainedBytes() < 1024, codec + " after flushBatch: " + writer.retainedBytes());
                }
                assertEquals(500, writer.recordCount());
            }
        }
    }

    @Test
    void aSmallOpenBatchHoldsASmallBuffer() throws Exception {
        try (SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 0, options("none", 1 << 20))) {
            writer.append(record(0, 100));
            assertTrue(writer.retainedBytes() <= OpenBatch.INITIAL_BUFFER_BYTES + 1024, "" + writer.retainedBytes());
            writer.append(record(1, 200_000)); // grows the buffer as needed
            assertTrue(writer.retainedBytes() >= 200_000);
            writer.flushBatch();
            assertTrue(writer.retainedBytes() < 1024, "" + writer.retainedBytes());
        }
    }

    @Test
    void createRefusesAnExistingSegment() throws Exception {
        TestSegments.write(dir, 0, List.of(record(0, 1)), options("none", 4096));
        SegmentException e = assertThrows(SegmentException.class,
                () -> SegmentWriter.create(dir, TOPIC, PARTITION, 0, options("none", 4096)));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void closeKeepsTheWrittenBatchesUnsealedAndDropsTheOpenOne() throws Exception {
        SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 0, options("none", 4096));
        writer.append(record(0, 10));
        writer.flushBatch();
        long size = writer.sizeInBytes();
        writer.append(record(1, 10));
        writer.close();
        SegmentFiles files = SegmentFiles.of(dir, 0);
        assertFalse(files.isSealed());
        assertEquals(size, Files.size(files.log()));
        assertEquals(0, SegmentRecovery.recover(files, TOPIC, PARTITION).lastOffset());
    }

    @Test
    void abortDeletesEveryFileAndTheTempMarkerOfAFailedSeal() throws Exception {
        SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 7, options("none", 4096));
        writer.append(record(7, 10));
        writer.flushBatch();
        Files.write(writer.files().markerTemp(), new byte[] {'{'}); // a crash or a failed seal left it
        writer.abort();
        assertEquals(List.of(), SegmentFiles.list(dir));
        try (var entries = Files.list(dir)) {
            assertEquals(List.of(), entries.toList());
        }
    }

    @Test
    void sealIsLoggedAtDebugOnly() throws Exception {
        try (CapturedLogs logs = new CapturedLogs()) {
            TestSegments.write(dir, 0, List.of(record(0, 10)), options("none", 4096));
            assertTrue(logs.text().contains("DEBUG io.tieredarchive.segment.SegmentSealer Sealed segment"),
                    logs.text());
            assertFalse(logs.text().contains("INFO io.tieredarchive.segment.SegmentSealer"), logs.text());
        }
    }

    @Test
    void emptySegmentSealsAndReadsAsEmpty() throws Exception {
        SegmentMetadata meta = TestSegments.write(dir, 50, List.of(), options("zstd", 4096));
        assertEquals(49, meta.lastOffset());
        assertEquals(0, meta.recordCount());
        assertEquals(-1, meta.maxTimestamp());
        try (SegmentReader reader = SegmentReader.open(SegmentFiles.of(dir, 50))) {
            assertFalse(reader.recordsFrom(0).hasNext());
            assertFalse(reader.recordsFromTimestamp(0).hasNext());
        }
    }

    @Test
    void optionsRejectUnknownCodecsAndBadLevels() {
        assertThrows(IllegalArgumentException.class, () -> new SegmentWriterOptions("brotli", null, 4096, "w"));
        assertThrows(IllegalArgumentException.class, () -> new SegmentWriterOptions("snappy", 3, 4096, "w"));
        assertThrows(IllegalArgumentException.class, () -> new SegmentWriterOptions("zstd", 99, 4096, "w"));
        assertThrows(IllegalArgumentException.class, () -> new SegmentWriterOptions("zstd", null, 0, "w"));
        assertEquals(CompressionCodec.GZIP, new SegmentWriterOptions("gzip", 9, 4096, "w").codec());
    }
}
