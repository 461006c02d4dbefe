package io.tieredarchive.segment;

import io.tieredarchive.config.CompressionCodec;

import org.apache.kafka.common.record.TimestampType;

import java.nio.ByteBuffer;

/**
 * The 61-byte header of a Kafka v2 record batch, big-endian, as {@code docs/segment-format.md} lays it out:
 * baseOffset int64 at 0, batchLength int32 at 8 (bytes after this field), partitionLeaderEpoch int32 at 12, magic
 * int8 at 16, crc uint32 at 17 (CRC-32C of byte 21 to the end of the batch), attributes int16 at 21 (bits 0-2 the
 * codec, bit 3 the timestamp type, bit 4 transactional, bit 5 control, bit 6 delete horizon), lastOffsetDelta int32
 * at 23, baseTimestamp int64 at 27, maxTimestamp int64 at 35, producerId int64 at 43, producerEpoch int16 at 51,
 * baseSequence int32 at 53, recordsCount int32 at 57; the records follow at 61. Parsed without decoding the
 * records: enough to walk a {@code .log} from batch to batch and to index it.
 *
 * @param position     byte position of the batch in the {@code .log}
 * @param baseOffset   offset of the batch's first record
 * @param sizeInBytes  the whole batch: batchLength plus the 12 bytes of baseOffset and batchLength
 * @param magic        2 for every batch of an archive
 * @param crc          the stored CRC-32C
 * @param attributes   codec, timestamp type and flags
 * @param lastOffset   baseOffset + lastOffsetDelta
 * @param baseTimestamp the first record's timestamp
 * @param maxTimestamp the largest record timestamp; for {@code LOG_APPEND_TIME} every record's timestamp
 * @param recordCount  recordsCount
 */
record BatchHeader(long position, long baseOffset, int sizeInBytes, byte magic, int crc, short attributes,
                   long lastOffset, long baseTimestamp, long maxTimestamp, int recordCount) {

    /** Bytes of the header; the records start here. */
    static final int SIZE = 61;
    static final byte MAGIC_V2 = 2;
    static final long NO_TIMESTAMP = -1L;
    /** The 12 bytes of baseOffset and batchLength, which batchLength does not count. */
    static final int LOG_OVERHEAD = 12;

    static final int BASE_OFFSET_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int PRODUCER_EPOCH_OFFSET = 51;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int RECORDS_COUNT_OFFSET = 57;

    static final int CODEC_MASK = 0x07;
    static final int LOG_APPEND_TIME_FLAG = 0x08;
    static final int TRANSACTIONAL_FLAG = 0x10;
    static final int CONTROL_FLAG = 0x20;
    static final int DELETE_HORIZON_FLAG = 0x40;

    /** Parses the header at the start of {@code buffer} (at least {@link #SIZE} bytes from its position). */
    static BatchHeader parse(long position, ByteBuffer buffer) {
        int at = buffer.position();
        long baseOffset = buffer.getLong(at + BASE_OFFSET_OFFSET);
        return new BatchHeader(position, baseOffset, buffer.getInt(at + LENGTH_OFFSET) + LOG_OVERHEAD,
                buffer.get(at + MAGIC_OFFSET), buffer.getInt(at + CRC_OFFSET), buffer.getShort(at + ATTRIBUTES_OFFSET),
                baseOffset + buffer.getInt(at + LAST_OFFSET_DELTA_OFFSET), buffer.getLong(at + BASE_TIMESTAMP_OFFSET),
                buffer.getLong(at + MAX_TIMESTAMP_OFFSET), buffer.getInt(at + RECORDS_COUNT_OFFSET));
    }

    /**
     * Why this header cannot be a batch of the segment, or null when it can. {@code previousLastOffset} is the last
     * offset of the batch before it (or base - 1), {@code logSize} the size of the {@code .log}.
     */
    String problem(long previousLastOffset, long logSize) {
        if (magic != MAGIC_V2) {
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

    /**
     * Why the attributes or the count (covered by the CRC, so checked after it) do not fit a batch of an archive,
     * or null when they do.
     */
    String contentProblem() {
        if (codec() == null) {
            return "unknown codec id " + (attributes & CODEC_MASK);
        }
        if ((attributes & CONTROL_FLAG) != 0) {
            return "it is a control batch, which an archive never holds";
        }
        if (recordCount < 0) {
            return "negative record count " + recordCount;
        }
        return null;
    }

    /** The codec of the records, or null for an id no codec has. */
    CompressionCodec codec() {
        return CompressionCodec.forId(attributes & CODEC_MASK);
    }

    TimestampType timestampType() {
        return (attributes & LOG_APPEND_TIME_FLAG) != 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
    }

    /**
     * The first record's timestamp as a reader reports it: the batch's one timestamp for {@code LOG_APPEND_TIME},
     * else baseTimestamp, which is the first record's (its delta is 0) in every batch without a delete horizon.
     */
    long firstTimestamp() {
        return timestampType() == TimestampType.LOG_APPEND_TIME ? maxTimestamp : baseTimestamp;
    }

    long nextPosition() {
        return position + sizeInBytes;
    }
}
