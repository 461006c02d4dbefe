package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.testing.RecordAssertions;
import io.tieredarchive.source.testing.TestArchives;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An archive in S3 for the replay crash test, written as the sink writes it ({@link SegmentWriter}, zstd) and
 * uploaded as the tier uploads it ({@link RemoteSegmentStore}: objects verified, marker last, manifest registered),
 * and the check that a topic holds it exactly once.
 */
final class ReplayArchive {

    private ReplayArchive() {
    }

    /**
     * {@code count} records from offset 0: a key (null every 13th), a value that starts with
     * {@code "<partition>:<offset>:"} followed by random bytes (a tombstone every 97th), 0 to 2 headers (one with a
     * null value), CreateTime timestamps from {@code t0}.
     */
    static List<ArchivedRecord> records(int partition, int count, long t0) {
        Random random = new Random(1000L + partition);
        List<ArchivedRecord> records = new ArrayList<>(count);
        for (long o = 0; o < count; o++) {
            byte[] key = o % 13 == 0 ? null : ("k-" + partition + "-" + o).getBytes(StandardCharsets.UTF_8);
            byte[] value = null;
            if (o % 97 != 0) {
                value = new byte[100 + random.nextInt(100)];
                random.nextBytes(value);
                byte[] id = (partition + ":" + o + ":").getBytes(StandardCharsets.UTF_8);
                System.arraycopy(id, 0, value, 0, id.length);
            }
            Header[] headers = new Header[(int) (o % 3)];
            for (int h = 0; h < headers.length; h++) {
                headers[h] = new RecordHeader("h" + h, h == 1 ? null : ("v" + o).getBytes(StandardCharsets.UTF_8));
            }
            records.add(new ArchivedRecord(o, t0 + o * 3, TimestampType.CREATE_TIME, key, value, headers));
        }
        return records;
    }

    /**
     * Writes {@code records} as segments of {@code perSegment} records (zstd, 16 KiB batches), uploads and registers
     * them ({@link TestArchives#archive}).
     */
    static void archive(RemoteSegmentStore store, Path localDir, String topic, int partition,
                        List<ArchivedRecord> records, int perSegment) throws SegmentException {
        TestArchives.archive(store, localDir, topic, partition, records, perSegment,
                new SegmentWriterOptions("zstd", null, 16 * 1024, "crash-test-writer"));
    }

    /** The replayed records equal the archived ones one by one: each once, in order, every byte the same. */
    static void assertReplayedOnce(String where, List<ArchivedRecord> archived,
                                   List<ConsumerRecord<byte[], byte[]>> replayed) {
        assertEquals(archived.size(), replayed.size(), where + ": record count; the archived offsets the target "
                + "holds, in runs: " + runs(archived, replayed));
        for (int i = 0; i < archived.size(); i++) {
            ArchivedRecord e = archived.get(i);
            ConsumerRecord<byte[], byte[]> a = replayed.get(i);
            String at = where + " record " + i + " (archived offset " + e.offset() + ")";
            RecordAssertions.assertSameRecord(at, e, a);
        }
    }

    /**
     * The archived offsets of {@code replayed}, in the target's order, as runs of consecutive offsets ("0..1199,
     * 1000..19999" shows 200 records twice). A record is told by its timestamp and key (or value).
     */
    static String runs(List<ArchivedRecord> archived, List<ConsumerRecord<byte[], byte[]>> replayed) {
        Map<String, Long> offsetOf = new java.util.HashMap<>();
        archived.forEach(r -> offsetOf.put(identity(r.key(), r.value(), r.timestamp()), r.offset()));
        StringBuilder sb = new StringBuilder();
        long start = -2;
        long prev = -2;
        int count = 0;
        for (ConsumerRecord<byte[], byte[]> r : replayed) {
            long o = offsetOf.getOrDefault(identity(r.key(), r.value(), r.timestamp()), -1L);
            if (o != prev + 1) {
                if (start != -2) {
                    sb.append(start).append("..").append(prev).append(", ");
                    count++;
                }
                start = o;
            }
            prev = o;
        }
        sb.append(start).append("..").append(prev);
        return (count > 40 ? count + 1 + " runs, e.g. " + sb.substring(0, 800) : sb.toString());
    }

    private static String identity(byte[] key, byte[] value, long timestamp) {
        byte[] b = key != null ? key : value;
        return timestamp + (key != null ? "k" : "v") + (b == null ? "null" : java.util.HexFormat.of().formatHex(b));
    }
}
