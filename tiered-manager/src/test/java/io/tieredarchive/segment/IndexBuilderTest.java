package io.tieredarchive.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

class IndexBuilderTest {

    private static final long T0 = 1_767_225_600_000L;

    /** A zstd batch of 2,000 JSON-like values of about 1 KiB, offsets from 100, timestamps T0, T0 + 1, ... */
    private static ByteBuffer zstdBatch() {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(4 << 20),
                Compression.of(CompressionType.ZSTD).build(), TimestampType.CREATE_TIME, 100);
        for (int i = 0; i < 2000; i++) {
            String value = ("{\"event\":" + i + ",\"note\":\"" + "x".repeat(i % 97) + "\"}").repeat(16);
            builder.append(T0 + i, null, value.getBytes(StandardCharsets.UTF_8));
        }
        return builder.build().buffer();
    }

    private static BatchHeader only(ByteBuffer buffer) {
        BatchHeader header = BatchHeader.parse(0, buffer);
        RecordBatch kafkas = MemoryRecords.readableRecords(buffer).batches().iterator().next();
        assertEquals(kafkas.lastOffset(), header.lastOffset());
        assertEquals(kafkas.maxTimestamp(), header.maxTimestamp());
        assertEquals(kafkas.countOrNull(), header.recordCount());
        return header;
    }

    @Test
    void firstTimestampComesFromTheFirstRecordOfTheFirstBatch() {
        IndexBuilder index = new IndexBuilder(100);
        BatchHeader batch = only(zstdBatch());
        index.add(0, batch);
        assertEquals(T0, index.firstTimestamp());
        assertEquals(T0 + 1999, index.maxTimestamp());
        assertEquals(2000, index.recordCount());
        assertEquals(2099, index.lastOffset());
    }

    @Test
    void firstTimestampDecodesNoRecord() {
        // The sink indexes the batch it has just compressed; its first timestamp must come from the header, not
        // from decompressing the batch again. Garbage at the end of the compressed data shows that nothing is
        // decoded: a decompression runs into it.
        ByteBuffer buffer = zstdBatch();
        for (int i = buffer.limit() - 64; i < buffer.limit(); i++) {
            buffer.put(i, (byte) 0xff);
        }
        IndexBuilder index = new IndexBuilder(100);
        index.add(0, BatchHeader.parse(0, buffer));
        assertEquals(T0, index.firstTimestamp());
    }
}
