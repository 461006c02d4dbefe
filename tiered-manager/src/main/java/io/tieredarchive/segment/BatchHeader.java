package io.tieredarchive.segment;

import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

import java.nio.ByteBuffer;

/**
 * The fields of a v2 record batch header that locate it, read without decoding the batch: enough to walk the
 * {@code .log} from batch to batch. Field offsets are Kafka's ({@link DefaultRecordBatch}); all big-endian.
 *
 * @param position       byte position of the batch in the {@code .log}
 * @param baseOffset     int64 at byte 0
 * @param sizeInBytes    int32 length at byte 8, plus the 12 bytes of offset and length themselves
 * @param magic          int8 at byte 16
 * @param lastOffset     baseOffset + int32 lastOffsetDelta at byte 23
 * @param maxTimestamp   int64 at byte 35
 */
record BatchHeader(long position, long baseOffset, int sizeInBytes, byte magic, long lastOffset,
                   long maxTimestamp) {

    /** Bytes to read to parse a header. */
    static final int SIZE = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
    /** DefaultRecordBatch.MAX_TIMESTAMP_OFFSET, not public there. */
    private static final int MAX_TIMESTAMP_OFFSET = 35;

    /** Parses the header at the start of {@code buffer} (at least {@link #SIZE} bytes). */
    static BatchHeader parse(long position, ByteBuffer buffer) {
        int length = buffer.getInt(Records.SIZE_OFFSET);
        return new BatchHeader(position, buffer.getLong(Records.OFFSET_OFFSET), length + Records.LOG_OVERHEAD,
                buffer.get(Records.MAGIC_OFFSET),
                buffer.getLong(Records.OFFSET_OFFSET) + buffer.getInt(DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET),
                buffer.getLong(MAX_TIMESTAMP_OFFSET));
    }

    /**
     * Why this header cannot be a batch of the segment, or null when it can. {@code previousLastOffset} is the last
     * offset of the batch before it (or base - 1), {@code logSize} the size of the {@code .log}.
     */
    String problem(long previousLastOffset, long logSize) {
        if (magic != RecordBatch.MAGIC_VALUE_V2) {
            return "magic " + magic + " where a v2 batch (magic 2) was expected";
        }
        if (sizeInBytes < SIZE || position + sizeInBytes > logSize) {
            return "batch size " + sizeInBytes + " does not fit between " + SIZE + " bytes and the end of the log ("
                    + logSize + " bytes)";
        }
        if (baseOffset <= previousLastOffset || lastOffset < baseOffset) {
            return "offsets " + baseOffset + ".." + lastOffset + " do not follow the previous batch's last offset "
                    + previousLastOffset;
        }
        return null;
    }

    long nextPosition() {
        return position + sizeInBytes;
    }
}
