package io.tieredarchive.segment;

import org.apache.kafka.common.header.Header;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record header of an archived record: a key and a value (which may be null). Kafka's {@link Header} interface is
 * public API; its implementation {@code RecordHeader} is not, so the plugin has its own.
 */
public record ArchivedHeader(String key, byte[] value) implements Header {

    public ArchivedHeader {
        Objects.requireNonNull(key, "Null header keys are not permitted");
    }

    /** Equal to another ArchivedHeader with the same key and value bytes. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ArchivedHeader that && key.equals(that.key) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "ArchivedHeader(key=" + key + ", value=" + (value == null ? "null" : value.length + "B") + ")";
    }
}
