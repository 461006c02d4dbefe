package io.tieredarchive.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@link ArchivedRecord#sizeInBytes()} bounds what Kafka writes for the record, in any batch. */
class ArchivedRecordTest {

    private static final int[] OFFSET_DELTAS = {0, 63, 64, 8191, 8192, 1 << 20, Integer.MAX_VALUE};
    private static final long[] TIMESTAMP_DELTAS = {0, -1, 63, -65, 1L << 40, -(1L << 40), Long.MAX_VALUE,
        Long.MIN_VALUE};

    private static byte[] bytes(int size) {
        return size < 0 ? null : new byte[size];
    }

    private static List<ArchivedRecord> records() {
        List<Header[]> headerSets = List.of(new Header[0],
                new Header[] {new RecordHeader("trace", "t1".getBytes(StandardCharsets.UTF_8))},
                new Header[] {new RecordHeader("nullable", null), new RecordHeader("ü-key", new byte[300]),
                    new RecordHeader("k".repeat(200), new byte[0])});
        List<ArchivedRecord> records = new ArrayList<>();
        int[] sizes = {-1, 0, 1, 63, 64, 300, 8192, 70_000};
        for (int keySize : sizes) {
            for (int valueSize : sizes) {
                for (Header[] headers : headerSets) {
                    records.add(new ArchivedRecord(0, 0, TimestampType.CREATE_TIME, bytes(keySize), bytes(valueSize),
                            headers));
                }
            }
        }
        return records;
    }

    private static int kafkaSize(ArchivedRecord r, int offsetDelta, long timestampDelta) {
        return DefaultRecord.sizeInBytes(offsetDelta, timestampDelta, r.key() == null ? null : ByteBuffer.wrap(r.key()),
                r.value() == null ? null : ByteBuffer.wrap(r.value()), r.headers());
    }

    @Test
    void boundsKafkasRecordSizeForEveryDelta() {
        for (ArchivedRecord record : records()) {
            int bound = record.sizeInBytes();
            for (int offsetDelta : OFFSET_DELTAS) {
                for (long timestampDelta : TIMESTAMP_DELTAS) {
                    int actual = kafkaSize(record, offsetDelta, timestampDelta);
                    assertTrue(actual <= bound, record + " at deltas " + offsetDelta + "/" + timestampDelta
                            + ": Kafka writes " + actual + " bytes, bound " + bound);
                }
            }
        }
    }

    @Test
    void isKafkasSizeAtTheWidestDeltasAndCloseOtherwise() {
        for (ArchivedRecord record : records()) {
            int bound = record.sizeInBytes();
            assertEquals(kafkaSize(record, Integer.MAX_VALUE, Long.MIN_VALUE), bound, record.toString());
            int narrowest = kafkaSize(record, 0, 0);
            assertTrue(bound - narrowest <= 14, record + ": bound " + bound + ", narrowest " + narrowest);
        }
    }

    /** What a real batch holds: the record's bytes as Kafka's builder wrote them, read back. */
    @Test
    void boundsTheBytesInARealBatch() {
        long baseTimestamp = 1_700_000_000_000L;
        List<ArchivedRecord> records = List.of(
                new ArchivedRecord(0, baseTimestamp, TimestampType.CREATE_TIME, null, null),
                new ArchivedRecord(1, 0, TimestampType.CREATE_TIME, bytes(300), bytes(300)),
                new ArchivedRecord(2, Long.MAX_VALUE, TimestampType.CREATE_TIME, bytes(1), bytes(8192)),
                new ArchivedRecord(Integer.MAX_VALUE - 1, RecordBatch.NO_TIMESTAMP, TimestampType.CREATE_TIME,
                        bytes(70_000), null, new Header[] {new RecordHeader("h", new byte[200])}),
                new ArchivedRecord(Integer.MAX_VALUE, Long.MAX_VALUE, TimestampType.CREATE_TIME, bytes(300),
                        bytes(300)));
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2,
                Compression.NONE, TimestampType.CREATE_TIME, 0);
        int bounds = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
        for (ArchivedRecord r : records) {
            builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
            bounds += r.sizeInBytes();
        }
        MemoryRecords built = builder.build();
        int i = 0;
        for (Record written : built.records()) {
            ArchivedRecord r = records.get(i++);
            assertTrue(written.sizeInBytes() <= r.sizeInBytes(),
                    r + ": Kafka wrote " + written.sizeInBytes() + " bytes, bound " + r.sizeInBytes());
        }
        assertEquals(records.size(), i);
        assertTrue(built.sizeInBytes() <= bounds, built.sizeInBytes() + " > " + bounds);
    }
}
