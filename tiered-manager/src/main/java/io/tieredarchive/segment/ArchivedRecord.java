package io.tieredarchive.segment;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One archived record, exactly as it was consumed: its original offset, timestamp and timestamp type, key, value
 * and headers. Key and value may be null; headers are never null (possibly empty), a header's value may be null.
 * Equality compares the contents of the byte arrays and headers.
 */
public record ArchivedRecord(long offset, long timestamp, TimestampType timestampType,
                             byte[] key, byte[] value, Header[] headers) {

    /** Upper bound of a v2 record's framing besides key, value and headers (varints at their widest). */
    private static final int RECORD_OVERHEAD = 21;
    /** Upper bound of one header's framing besides its key and value. */
    private static final int HEADER_OVERHEAD = 10;

    private static final Header[] NO_HEADERS = new Header[0];

    public ArchivedRecord {
        Objects.requireNonNull(timestampType, "timestampType");
        headers = headers == null ? NO_HEADERS : headers;
    }

    /** A record without headers. */
    public ArchivedRecord(long offset, long timestamp, TimestampType timestampType, byte[] key, byte[] value) {
        this(offset, timestamp, timestampType, key, value, NO_HEADERS);
    }

    /** Approximate uncompressed size: key, value and headers plus framing, for buffer accounting. */
    public int sizeInBytes() {
        int size = RECORD_OVERHEAD + length(key) + length(value);
        for (Header header : headers) {
            size += HEADER_OVERHEAD + header.key().getBytes(StandardCharsets.UTF_8).length + length(header.value());
        }
        return size;
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
