package io.tieredarchive.testing;

import io.tieredarchive.segment.ArchivedRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The one check that a record read back (replayed, restored, copied) is the one written: every byte the same. */
public final class RecordAssertions {

    private RecordAssertions() {
    }

    /** The same records in the same order, each once; {@code where} names the place in a failure. */
    public static void assertSameRecords(String where, List<ConsumerRecord<byte[], byte[]>> expected,
                                         List<ConsumerRecord<byte[], byte[]>> actual) {
        assertNotNull(actual, where + ": nothing read");
        assertEquals(expected.size(), actual.size(), where + ": record count (a duplicate or a loss)");
        for (int i = 0; i < expected.size(); i++) {
            ConsumerRecord<byte[], byte[]> e = expected.get(i);
            assertSameRecord(where + " record " + i + " (source offset " + e.offset() + ")", e, actual.get(i));
        }
    }

    /** {@code actual} has the key, value, timestamp and headers of {@code expected}. */
    public static void assertSameRecord(String at, ConsumerRecord<byte[], byte[]> expected,
                                        ConsumerRecord<byte[], byte[]> actual) {
        assertRecord(at, expected.key(), expected.value(), expected.timestamp(), expected.headers().toArray(),
                actual);
    }

    /** {@code actual} has the key, value, timestamp and headers of the archived record {@code expected}. */
    public static void assertSameRecord(String at, ArchivedRecord expected, ConsumerRecord<byte[], byte[]> actual) {
        assertRecord(at, expected.key(), expected.value(), expected.timestamp(), expected.headers(), actual);
    }

    private static void assertRecord(String at, byte[] key, byte[] value, long timestamp, Header[] headers,
                                     ConsumerRecord<byte[], byte[]> actual) {
        assertArrayEquals(key, actual.key(), at + ": key");
        assertArrayEquals(value, actual.value(), at + ": value");
        assertEquals(timestamp, actual.timestamp(), at + ": timestamp");
        Header[] actualHeaders = actual.headers().toArray();
        assertEquals(headers.length, actualHeaders.length, at + ": header count");
        for (int h = 0; h < headers.length; h++) {
            assertEquals(headers[h].key(), actualHeaders[h].key(), at + ": header " + h + " key");
            assertArrayEquals(headers[h].value(), actualHeaders[h].value(), at + ": header " + h + " value");
        }
    }
}
