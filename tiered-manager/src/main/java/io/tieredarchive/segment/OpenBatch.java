package io.tieredarchive.segment;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

import java.nio.ByteBuffer;

/**
 * The batch a {@link SegmentWriter} is filling: Kafka's {@link MemoryRecordsBuilder} over a buffer allocated for
 * this batch alone and dropped once the batch is built, so that a writer between batches holds no buffer (a sink
 * keeps thousands of writers open). The buffer starts small and doubles as it fills, so it stays within twice
 * the bytes written, and growing it to a megabyte copies about a megabyte.
 */
final class OpenBatch {

    /** First buffer size; grown as the records need (a small record's batch stays this small). */
    static final int INITIAL_BUFFER_BYTES = 4 * 1024;

    private final GrowingBuffer out;
    private final MemoryRecordsBuilder builder;
    private final TimestampType type;
    private final long logAppendTime;
    private final int codecBytes;

    private OpenBatch(GrowingBuffer out, MemoryRecordsBuilder builder, TimestampType type, long logAppendTime,
                      int codecBytes) {
        this.out = out;
        this.builder = builder;
        this.type = type;
        this.logAppendTime = logAppendTime;
        this.codecBytes = codecBytes;
    }

    /**
     * A batch of {@code type} from {@code baseOffset}; {@code logAppendTime} is the batch's one timestamp for
     * {@code LOG_APPEND_TIME}, ignored otherwise. {@code firstRecordBytes} sizes the first buffer.
     */
    static OpenBatch start(Compression compression, TimestampType type, long baseOffset, long logAppendTime,
                           int batchBytes, int firstRecordBytes) {
        int initial = Math.max(INITIAL_BUFFER_BYTES, firstRecordBytes + DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        GrowingBuffer out = new GrowingBuffer(initial);
        long appendTime = type == TimestampType.LOG_APPEND_TIME ? logAppendTime : RecordBatch.NO_TIMESTAMP;
        // MemoryRecords.builder's defaults: no producer id, epoch or sequence, not transactional, no leader epoch.
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(out, RecordBatch.MAGIC_VALUE_V2, compression, type,
                baseOffset, appendTime, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, false, false, RecordBatch.NO_PARTITION_LEADER_EPOCH, batchBytes);
        return new OpenBatch(out, builder, type, logAppendTime, codecWorkingBytes(compression.type()));
    }

    /** True if {@code record} may join this batch: same timestamp type, and one timestamp for LOG_APPEND_TIME. */
    boolean accepts(TimestampType recordType, long timestamp) {
        return recordType == type && (type != TimestampType.LOG_APPEND_TIME || timestamp == logAppendTime);
    }

    void append(ArchivedRecord record) {
        builder.appendWithOffset(record.offset(), record.timestamp(), record.key(), record.value(),
                record.headers());
    }

    /** Uncompressed size of the batch so far: its header and its records. */
    int uncompressedBytes() {
        return builder.uncompressedBytesWritten();
    }

    /** Estimated size of the batch once built (compressed). */
    int estimatedSizeInBytes() {
        return builder.estimatedSizeInBytes();
    }

    /** Heap the batch holds: its buffer, and the codec's working buffers until it is built. */
    long retainedBytes() {
        return out.buffer().capacity() + codecBytes;
    }

    /** Closes the batch (the codec's buffers are released) and returns it; drop this object afterwards. */
    MemoryRecords build() {
        builder.close();
        return builder.build();
    }

    /**
     * Heap the codec's streams of an open batch hold, as Kafka 4.3 builds them: gzip a 16 KiB buffer and an 8 KiB
     * deflate buffer; snappy a 32 KiB block and its compressed copy; lz4 a 64 KiB block and its compressed copy;
     * zstd a 16 KiB buffer and a 128 KiB output buffer. The codecs' native state is off the heap and not counted.
     */
    static int codecWorkingBytes(CompressionType type) {
        return switch (type) {
            case NONE -> 0;
            case GZIP -> 24 * 1024;
            case SNAPPY -> 70 * 1024;
            case LZ4 -> 129 * 1024;
            case ZSTD -> 145 * 1024;
        };
    }

    /** Kafka's growing buffer, doubling when full instead of growing by 10%, to copy less. */
    private static final class GrowingBuffer extends ByteBufferOutputStream {

        GrowingBuffer(int initialCapacity) {
            super(ByteBuffer.allocate(initialCapacity));
        }

        @Override
        public void ensureRemaining(int remainingBytesRequired) {
            if (remainingBytesRequired > remaining()) {
                // The parent grows to at least position + the bytes asked for: ask for a full buffer's worth.
                super.ensureRemaining(Math.max(remainingBytesRequired, limit()));
            }
        }
    }
}
