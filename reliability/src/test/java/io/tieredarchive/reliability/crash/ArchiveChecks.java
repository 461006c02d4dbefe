package io.tieredarchive.reliability.crash;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.tier.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reading a sink's archive back (local sealed segments, S3 markers) and holding it against the topic. */
final class ArchiveChecks {

    private ArchiveChecks() {
    }

    static Path partitionDir(Path localDir, String topic, int partition) {
        return localDir.resolve(topic + "-" + partition);
    }

    /** The sealed segments of a partition directory, by base offset. */
    static List<SegmentFiles> sealed(Path partitionDir) {
        return SegmentFiles.list(partitionDir).stream().filter(SegmentFiles::isSealed).toList();
    }

    /** Records in the sealed segments of {@code topic}'s partitions (from their markers). */
    static long sealedRecords(Path localDir, String topic, int partitions) throws SegmentException {
        long count = 0;
        for (int p = 0; p < partitions; p++) {
            for (SegmentFiles files : sealed(partitionDir(localDir, topic, p))) {
                count += SegmentMetadata.read(files.marker()).recordCount();
            }
        }
        return count;
    }

    /** Active (unsealed) segments of {@code topic}'s partitions right now. */
    static long unsealedSegments(Path localDir, String topic, int partitions) {
        long count = 0;
        for (int p = 0; p < partitions; p++) {
            count += SegmentFiles.list(partitionDir(localDir, topic, p)).stream().filter(f -> !f.isSealed()).count();
        }
        return count;
    }

    /** Every record of every sealed segment of a partition, in segment order, read with {@link SegmentReader}. */
    static List<ArchivedRecord> read(Path partitionDir) throws SegmentException {
        List<ArchivedRecord> records = new ArrayList<>();
        for (SegmentFiles files : sealed(partitionDir)) {
            try (SegmentReader reader = SegmentReader.open(files)) {
                reader.recordsFrom(files.baseOffset()).forEachRemaining(records::add);
            }
        }
        return records;
    }

    /** Every record of {@code topic}, by partition, in offset order, as a consumer reads it now. */
    static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumeAll(EmbeddedKafkaCluster kafka, String topic)
            throws Exception {
        ConsumerRecords<byte[], byte[]> all = kafka.consumeAll(120_000, topic);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : all) {
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        byPartition.values().forEach(list -> list.sort(Comparator.comparingLong(ConsumerRecord::offset)));
        return byPartition;
    }

    /** Waits until each partition's sealed local segments reach its last consumed offset. */
    static void awaitSealedThrough(Path localDir, String topic,
                                   Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, String> behind = new TreeMap<>();
        do {
            behind.clear();
            for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                long last = e.getValue().get(e.getValue().size() - 1).offset();
                long sealedLast = -1;
                for (SegmentFiles files : sealed(partitionDir(localDir, topic, e.getKey()))) {
                    sealedLast = Math.max(sealedLast, SegmentMetadata.read(files.marker()).lastOffset());
                }
                if (sealedLast < last) {
                    behind.put(e.getKey(), sealedLast + " of " + last);
                }
            }
            if (behind.isEmpty()) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        fail("The archive of " + topic + " did not reach the topic's end within " + timeout
                + "; partition=last sealed offset of last offset: " + behind);
    }

    /**
     * The archive of each partition holds exactly the consumed records: the same offsets in the same order (so it
     * is contiguous from the first offset to the end, without a duplicate), and byte for byte the same keys,
     * values, headers, timestamps and timestamp types.
     */
    static void assertArchiveEqualsTopic(Path localDir, String topic,
                                         Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed)
            throws SegmentException {
        for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
            String where = topic + "-" + e.getKey();
            List<ArchivedRecord> archived = read(partitionDir(localDir, topic, e.getKey()));
            List<ConsumerRecord<byte[], byte[]>> expected = e.getValue();
            assertEquals(expected.stream().map(ConsumerRecord::offset).toList(),
                    archived.stream().map(ArchivedRecord::offset).toList(), where + ": offsets");
            for (int i = 0; i < expected.size(); i++) {
                assertSame(expected.get(i), archived.get(i), where);
            }
        }
    }

    private static void assertSame(ConsumerRecord<byte[], byte[]> expected, ArchivedRecord actual, String where) {
        String at = where + " offset " + expected.offset();
        assertEquals(expected.timestamp(), actual.timestamp(), at + ": timestamp");
        assertEquals(expected.timestampType(), actual.timestampType(), at + ": timestamp type");
        assertArrayEquals(expected.key(), actual.key(), at + ": key");
        assertArrayEquals(expected.value(), actual.value(), at + ": value");
        Header[] headers = expected.headers().toArray();
        assertEquals(headers.length, actual.headers().length, at + ": header count");
        for (int h = 0; h < headers.length; h++) {
            assertEquals(headers[h].key(), actual.headers()[h].key(), at + ": header key");
            assertArrayEquals(headers[h].value(), actual.headers()[h].value(), at + ": header value");
        }
    }

    /**
     * Waits until S3 holds each partition up to {@code ends} (exclusive), and asserts that its segments there
     * chain without a gap and without an overlap from offset 0: on one disk, no record reaches S3 twice.
     */
    static void awaitS3Chain(RemoteSegmentStore store, String topic, Map<Integer, Long> ends, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            List<SegmentMetadata> segments;
            while (true) {
                segments = store.view(topic, e.getKey()).segments().stream()
                        .sorted(Comparator.comparingLong(SegmentMetadata::baseOffset)).toList();
                long end = segments.isEmpty() ? 0 : segments.get(segments.size() - 1).nextOffset();
                if (end >= e.getValue()) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, topic + "-" + e.getKey() + ": S3 holds up to " + end
                        + ", not " + e.getValue() + ", after " + timeout);
                Thread.sleep(500);
            }
            long next = 0;
            for (SegmentMetadata m : segments) {
                assertEquals(next, m.baseOffset(), topic + "-" + e.getKey() + ": S3 segment after offset " + next
                        + " (a gap or an overlap); segments " + segments.stream()
                        .map(s -> s.baseOffset() + ".." + s.lastOffset() + "@" + s.writerId()).toList());
                next = m.nextOffset();
            }
            assertEquals(e.getValue(), next, topic + "-" + e.getKey() + ": S3 ends at the topic's end");
        }
    }
}
