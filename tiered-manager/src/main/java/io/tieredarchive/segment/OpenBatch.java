package io.tieredarchive.segment;

import io.tieredarchive.config.CompressionCodec;
import io.tieredarchive.segment.codec.BatchCompression;
import io.tieredarchive.segment.codec.GrowableBytes;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The batch a {@link SegmentWriter} is filling: its records, encoded uncompressed as Kafka's v2 records
 * ({@code docs/segment-format.md}) behind room for the 61-byte header, in a buffer allocated for this batch alone
 * and dropped once the batch is built, so that a writer between batches holds no buffer (a sink keeps thousands of
 * writers open). The buffer starts small and doubles as it fills, but never past the batch size unless one record
 * needs more. When the batch is complete, {@link #build} compresses the records in one call and writes the header,
 * as Kafka's {@code MemoryRecordsBuilder} would: no producer id, epoch or sequence, not transactional, no leader
 * epoch.
 */
final class OpenBatch {

    /** First buffer size; grown as the records need (a small record's batch stays this small). */
    static final int INITIAL_BUFFER_BYTES = 4 * 1024;
    /** Kafka's margin on the uncompressed size when it estimates a compressed batch's size. */
    private static final double COMPRESSED_SIZE_MARGIN = 1.05;
    private static final byte[][] NO_KEYS = new byte[0][];
    private static final byte[] NO_BYTES = new byte[0];

    private final GrowableBytes records;
    private final int bufferLimit;
    private final TimestampType type;
    private final long baseOffset;
    private final long baseTimestamp;
    private long lastOffset;
    private long maxTimestamp = BatchHeader.NO_TIMESTAMP;
    private int count;

    private OpenBatch(GrowableBytes records, int bufferLimit, TimestampType type, long baseOffset,
                      long baseTimestamp) {
        this.records = records;
        this.bufferLimit = bufferLimit;
        this.type = type;
        this.baseOffset = baseOffset;
        this.baseTimestamp = baseTimestamp;
        this.lastOffset = baseOffset;
    }

    /**
     * A batch of {@code type} from {@code baseOffset}, whose first record has timestamp {@code firstTimestamp} (for
     * {@code LOG_APPEND_TIME} the batch's one timestamp). {@code firstRecordBytes} sizes the first buffer.
     */
    static OpenBatch start(TimestampType type, long baseOffset, long firstTimestamp, int batchBytes,
                           int firstRecordBytes) {
        GrowableBytes records = new GrowableBytes(Math.max(Math.min(INITIAL_BUFFER_BYTES, batchBytes),
                firstRecordBytes + BatchHeader.SIZE));
        records.advance(BatchHeader.SIZE);
        return new OpenBatch(records, batchBytes, type, baseOffset, firstTimestamp);
    }

    /** True if {@code record} may join this batch: same timestamp type, and one timestamp for LOG_APPEND_TIME. */
    boolean accepts(TimestampType recordType, long timestamp) {
        return recordType == type && (type != TimestampType.LOG_APPEND_TIME || timestamp == baseTimestamp);
    }

    /** Appends the record, Kafka's {@code DefaultRecord} layout. The caller has checked its offset and timestamp. */
    void append(ArchivedRecord record) {
        int offsetDelta = (int) (record.offset() - baseOffset);
        long timestampDelta = record.timestamp() - baseTimestamp;
        Header[] headers = record.headers();
        byte[][] headerKeys = headers.length == 0 ? NO_KEYS : new byte[headers.length][];
        int body = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(offsetDelta)
                + sizeOf(record.key()) + sizeOf(record.value()) + Varints.sizeOfVarint(headers.length);
        for (int i = 0; i < headers.length; i++) {
            if (headers[i].key() == null) {
                throw new IllegalArgumentException("Invalid null header key found in headers");
            }
            headerKeys[i] = headers[i].key().getBytes(StandardCharsets.UTF_8);
            body += Varints.sizeOfVarint(headerKeys[i].length) + headerKeys[i].length + sizeOf(headers[i].value());
        }
        grow(Varints.sizeOfVarint(body) + body);
        byte[] to = records.array();
        int at = Varints.writeVarint(body, to, records.size());
        to[at++] = 0; // record attributes: none are defined
        at = Varints.writeVarlong(timestampDelta, to, at);
        at = Varints.writeVarint(offsetDelta, to, at);
        at = write(record.key(), to, at);
        at = write(record.value(), to, at);
        at = Varints.writeVarint(headers.length, to, at);
        for (int i = 0; i < headers.length; i++) {
            at = write(headerKeys[i], to, at);
            at = write(headers[i].value(), to, at);
        }
        records.size(at);
        lastOffset = record.offset();
        maxTimestamp = Math.max(maxTimestamp, record.timestamp());
        count++;
    }

    /** Makes room for {@code count} more bytes, in an array from {@link BatchBuffers}; the old one goes back. */
    private void grow(int count) {
        int capacity = records.grownCapacity(count, bufferLimit);
        if (capacity > records.capacity()) {
            BatchBuffers.give(records.moveTo(BatchBuffers.take(capacity)));
        }
    }

    /** The batch is written (or dropped): its array goes back to {@link BatchBuffers}. Drop this object after. */
    void release() {
        records.clear();
        BatchBuffers.give(records.moveTo(NO_BYTES));
    }

    private static int sizeOf(byte[] bytes) {
        return bytes == null ? 1 : Varints.sizeOfVarint(bytes.length) + bytes.length;
    }

    private static int write(byte[] bytes, byte[] to, int at) {
        if (bytes == null) {
            return Varints.writeVarint(-1, to, at);
        }
        int from = Varints.writeVarint(bytes.length, to, at);
        System.arraycopy(bytes, 0, to, from, bytes.length);
        return from + bytes.length;
    }

    /** Uncompressed size of the batch so far: its header and its records. */
    int uncompressedBytes() {
        return records.size();
    }

    /** Estimated size of the batch once built: Kafka's estimate, the uncompressed size plus 5% with a codec. */
    int estimatedSizeInBytes(CompressionCodec codec) {
        int recordBytes = records.size() - BatchHeader.SIZE;
        return BatchHeader.SIZE + (codec == CompressionCodec.NONE ? recordBytes
                : (int) (recordBytes * COMPRESSED_SIZE_MARGIN));
    }

    /** Heap the batch holds: its buffer. */
    long retainedBytes() {
        return records.capacity();
    }

    /**
     * The complete batch, header and CRC included. With a codec the records are compressed into {@code scratch}
     * and the returned buffer is a view of it; without, it is a view of this batch's own buffer. Drop this object
     * afterwards.
     */
    ByteBuffer build(BatchCompression compression, GrowableBytes scratch) throws IOException {
        GrowableBytes batch = records;
        if (compression.codec() != CompressionCodec.NONE) {
            scratch.clear();
            scratch.ensureRemaining(BatchHeader.SIZE);
            scratch.advance(BatchHeader.SIZE);
            compression.compress(records.array(), BatchHeader.SIZE, records.size() - BatchHeader.SIZE, scratch);
            batch = scratch;
        }
        ByteBuffer bytes = batch.asByteBuffer();
        int attributes = compression.codec().id()
                | (type == TimestampType.LOG_APPEND_TIME ? BatchHeader.LOG_APPEND_TIME_FLAG : 0);
        bytes.putLong(BatchHeader.BASE_OFFSET_OFFSET, baseOffset)
                .putInt(BatchHeader.LENGTH_OFFSET, batch.size() - BatchHeader.LOG_OVERHEAD)
                .putInt(BatchHeader.PARTITION_LEADER_EPOCH_OFFSET, -1)
                .put(BatchHeader.MAGIC_OFFSET, BatchHeader.MAGIC_V2)
                .putShort(BatchHeader.ATTRIBUTES_OFFSET, (short) attributes)
                .putInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET, (int) (lastOffset - baseOffset))
                .putLong(BatchHeader.BASE_TIMESTAMP_OFFSET, baseTimestamp)
                .putLong(BatchHeader.MAX_TIMESTAMP_OFFSET, maxTimestamp)
                .putLong(BatchHeader.PRODUCER_ID_OFFSET, -1L)
                .putShort(BatchHeader.PRODUCER_EPOCH_OFFSET, (short) -1)
                .putInt(BatchHeader.BASE_SEQUENCE_OFFSET, -1)
                .putInt(BatchHeader.RECORDS_COUNT_OFFSET, count);
        CRC32C crc = new CRC32C();
        crc.update(batch.array(), BatchHeader.ATTRIBUTES_OFFSET, batch.size() - BatchHeader.ATTRIBUTES_OFFSET);
        bytes.putInt(BatchHeader.CRC_OFFSET, (int) crc.getValue());
        return bytes;
    }
}
