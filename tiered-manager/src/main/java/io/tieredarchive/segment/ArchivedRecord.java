package io.tieredarchive.segment;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

import java.util.Arrays;
import java.util.Objects;

/**
 * One archived record, exactly as it was consumed: its original offset, timestamp and timestamp type, key, value
 * and headers. Key and value may be null; headers are never null (possibly empty), a header's value may be null.
 * Equality compares the contents of the byte arrays and headers.
 */
public record ArchivedRecord(long offset, long timestamp, TimestampType timestampType,
                             byte[] key, byte[] value, Header[] headers) {

    /** The widest offset delta a record can have in a segment's batch (offsets stay within 2^31 - 1 of it). */
    private static final int WIDEST_OFFSET_DELTA = Integer.MAX_VALUE;
    /** A timestamp delta whose zig-zag varlong takes the full 10 bytes. */
    private static final long WIDEST_TIMESTAMP_DELTA = Long.MIN_VALUE;

    private static final Header[] NO_HEADERS = new Header[0];

    public ArchivedRecord {
        Objects.requireNonNull(timestampType, "timestampType");
        headers = headers == null ? NO_HEADERS : headers;
    }

    /** A record without headers. */
    public ArchivedRecord(long offset, long timestamp, TimestampType timestampType, byte[] key, byte[] value) {
        this(offset, timestamp, timestampType, key, value, NO_HEADERS);
    }

    /**
     * An upper bound of the bytes this record adds to an uncompressed Kafka v2 batch, whatever batch it lands in:
     * what Kafka's own {@code DefaultRecord.sizeInBytes} computes (the record's length varint, attributes,
     * timestamp delta, offset delta, key length and key, value length and value, header count and each header's
     * key length, key, value length and value) with the offset and timestamp deltas at their widest (5 and 10 bytes). It exceeds
     * the real size only by what narrower deltas save: at most 14 bytes (13, and one more when that
     * lengthens the record's length varint). For buffer accounting and batch sizing.
     */
    public int sizeInBytes() {
        int body = 1 + Varints.sizeOfVarlong(WIDEST_TIMESTAMP_DELTA) + Varints.sizeOfVarint(WIDEST_OFFSET_DELTA)
                + sizeOf(key) + sizeOf(value) + Varints.sizeOfVarint(headers.length);
        for (Header header : headers) {
            int keyBytes = utf8Length(header.key());
            body += Varints.sizeOfVarint(keyBytes) + keyBytes + sizeOf(header.value());
        }
        return Varints.sizeOfVarint(body) + body;
    }

    private static int sizeOf(byte[] bytes) {
        return bytes == null ? 1 : Varints.sizeOfVarint(bytes.length) + bytes.length;
    }

    /** What {@code s.getBytes(UTF_8).length} is, without the copy (a lone surrogate becomes one '?'). */
    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArchivedRecord that
                && offset == that.offset
                && timestamp == that.timestamp
                && timestampType == that.timestampType
                && Arrays.equals(key, that.key)
                && Arrays.equals(value, that.value)
                && headersEqual(headers, that.headers);
    }

    private static boolean headersEqual(Header[] a, Header[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!a[i].key().equals(b[i].key()) || !Arrays.equals(a[i].value(), b[i].value())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(offset, timestamp, timestampType);
        h = 31 * h + Arrays.hashCode(key);
        h = 31 * h + Arrays.hashCode(value);
        for (Header header : headers) {
            h = 31 * h + header.key().hashCode();
            h = 31 * h + Arrays.hashCode(header.value());
        }
        return h;
    }

    @Override
    public String toString() {
        return "ArchivedRecord(offset=" + offset + ", timestamp=" + timestamp + " " + timestampType
                + ", key=" + length(key) + "B, value=" + (value == null ? "null" : value.length + "B")
                + ", headers=" + headers.length + ")";
    }
}
