package io.tieredarchive.segment;

import io.tieredarchive.config.CompressionCodec;
import io.tieredarchive.segment.codec.BatchCompression;
import io.tieredarchive.segment.codec.GrowableBytes;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one CRC-checked batch, decoded as Kafka's {@code DefaultRecord} reads them: every length is checked
 * against what is left, a record must take exactly the bytes its length says, and the batch must hold exactly its
 * record count. A compressed batch is decompressed whole, into a buffer reused from batch to batch. The whole batch
 * is decoded before its first record is handed out, so that no record of a batch that fails a check is returned;
 * anything that does not decode is a {@link CorruptSegmentException} naming the batch. Keys, values and headers are
 * copied out, so a record stays valid after the next batch is read. Not thread-safe.
 */
final class BatchRecords {

    private static final Header[] NO_HEADERS = new Header[0];
    private static final Map<CompressionCodec, BatchCompression> CODECS = new EnumMap<>(CompressionCodec.class);

    static {
        for (CompressionCodec codec : CompressionCodec.values()) {
            CODECS.put(codec, BatchCompression.of(codec, null));
        }
    }

    private final LogScanner scanner;
    private final GrowableBytes decompressed = new GrowableBytes(0);
    private final List<ArchivedRecord> decoded = new ArrayList<>();
    private BatchHeader header;
    private ByteBuffer records = ByteBuffer.allocate(0);
    private int next;

    BatchRecords(LogScanner scanner) {
        this.scanner = scanner;
    }

    /** Decodes the batch {@code header} describes; {@code batch} holds its bytes from its first byte on. */
    void open(BatchHeader header, ByteBuffer batch) throws CorruptSegmentException {
        this.header = header;
        decoded.clear();
        next = 0;
        ByteBuffer section = batch.duplicate();
        section.limit(batch.position() + header.sizeInBytes()).position(batch.position() + BatchHeader.SIZE);
        CompressionCodec codec = header.codec();
        if (codec == CompressionCodec.NONE && section.hasArray()) {
            records = section.slice();
        } else {
            decompressed.clear();
            try {
                CODECS.get(codec).decompress(section, decompressed);
            } catch (IOException | RuntimeException e) {
                throw scanner.corrupt(header, "cannot decompress its records (" + codec.codecName() + "): "
                        + e.getMessage(), e);
            }
            records = decompressed.asByteBuffer();
        }
        for (int i = 0; i < header.recordCount(); i++) {
            try {
                decoded.add(decode());
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw scanner.corrupt(header, "cannot decode record " + i + " of " + header.recordCount() + ": "
                        + (e.getMessage() == null ? "it runs past the end of the records" : e.getMessage()), e);
            }
        }
        if (records.hasRemaining()) {
            throw scanner.corrupt(header, records.remaining() + " bytes follow its last record (record count "
                    + header.recordCount() + ")", null);
        }
    }

    boolean hasNext() {
        return next < decoded.size();
    }

    ArchivedRecord next() {
        return decoded.get(next++);
    }

    private ArchivedRecord decode() {
        int bodySize = Varints.readVarint(records);
        if (bodySize < 0 || bodySize > records.remaining()) {
            throw new IllegalArgumentException("record length " + bodySize + " with " + records.remaining()
                    + " bytes left");
        }
        int start = records.position();
        records.get(); // attributes: none are defined
        long timestampDelta = Varints.readVarlong(records);
        int offsetDelta = Varints.readVarint(records);
        byte[] key = readBytes();
        byte[] value = readBytes();
        int headerCount = Varints.readVarint(records);
        if (headerCount < 0 || headerCount > records.remaining()) {
            throw new IllegalArgumentException("invalid header count " + headerCount);
        }
        Header[] headers = headerCount == 0 ? NO_HEADERS : new Header[headerCount];
        for (int i = 0; i < headerCount; i++) {
            int keyLength = Varints.readVarint(records);
            if (keyLength < 0 || keyLength > records.remaining()) {
                throw new IllegalArgumentException("invalid header key length " + keyLength);
            }
            String headerKey = new String(records.array(), records.arrayOffset() + records.position(), keyLength,
                    StandardCharsets.UTF_8);
            records.position(records.position() + keyLength);
            headers[i] = new ArchivedHeader(headerKey, readBytes());
        }
        if (records.position() - start != bodySize) {
            throw new IllegalArgumentException("its length says " + bodySize + " bytes, its fields take "
                    + (records.position() - start));
        }
        TimestampType type = header.timestampType();
        long timestamp = type == TimestampType.LOG_APPEND_TIME ? header.maxTimestamp()
                : header.baseTimestamp() + timestampDelta;
        if (type == TimestampType.CREATE_TIME && timestamp == BatchHeader.NO_TIMESTAMP) {
            type = TimestampType.NO_TIMESTAMP_TYPE; // how the writer stores a record that had no timestamp
        }
        return new ArchivedRecord(header.baseOffset() + offsetDelta, timestamp, type, key, value, headers);
    }

    /** A length-prefixed byte array; a negative length is null, as Kafka reads it. */
    private byte[] readBytes() {
        int length = Varints.readVarint(records);
        if (length < 0) {
            return null;
        }
        if (length > records.remaining()) {
            throw new IllegalArgumentException("a field of " + length + " bytes with " + records.remaining()
                    + " bytes left");
        }
        byte[] bytes = new byte[length];
        records.get(bytes);
        return bytes;
    }
}
