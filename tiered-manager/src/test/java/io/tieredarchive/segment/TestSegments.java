package io.tieredarchive.segment;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/** Record generators and helpers shared by the segment tests. */
final class TestSegments {

    static final String TOPIC = "orders";
    static final int PARTITION = 3;
    static final long T0 = 1_700_000_000_000L;

    private TestSegments() {
    }

    static SegmentWriterOptions options(String codec, int batchBytes) {
        return new SegmentWriterOptions(codec, null, batchBytes, "test-writer");
    }

    /**
     * {@code count} records from {@code firstOffset}, every third offset skipped (a compacted topic), keys null
     * every 7th, values null every 11th, headers varied (some with null values); CREATE_TIME with timestamps
     * rising by 10 ms, except runs of LOG_APPEND_TIME records sharing a timestamp.
     */
    static List<ArchivedRecord> records(long firstOffset, int count, long seed) {
        Random random = new Random(seed);
        List<ArchivedRecord> records = new ArrayList<>(count);
        long offset = firstOffset;
        for (int i = 0; i < count; i++) {
            boolean logAppend = (i / 40) % 3 == 2;
            long timestamp = logAppend ? T0 + (i / 20) * 1000L : T0 + i * 10L;
            byte[] key = i % 7 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
            byte[] value = i % 11 == 0 ? null : randomBytes(random, 20 + random.nextInt(200));
            records.add(new ArchivedRecord(offset, timestamp,
                    logAppend ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME, key, value, headers(i)));
            offset += i % 3 == 2 ? 2 : 1;
        }
        return records;
    }

    private static Header[] headers(int i) {
        return switch (i % 4) {
            case 0 -> new Header[0];
            case 1 -> new Header[] {new RecordHeader("trace", ("t" + i).getBytes(StandardCharsets.UTF_8))};
            case 2 -> new Header[] {new RecordHeader("nullable", null), new RecordHeader("a", new byte[] {1, 2})};
            default -> new Header[] {new RecordHeader("a", new byte[0]), new RecordHeader("a", new byte[] {9})};
        };
    }

    static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        // Half random, half repeated, so every codec has something to compress.
        for (int i = 0; i < size; i++) {
            bytes[i] = i % 2 == 0 ? (byte) random.nextInt() : (byte) 'x';
        }
        return bytes;
    }

    static SegmentMetadata write(Path dir, long baseOffset, List<ArchivedRecord> records,
                                 SegmentWriterOptions options) throws SegmentException {
        try (SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, baseOffset, options)) {
            for (ArchivedRecord record : records) {
                writer.append(record);
            }
            return writer.seal(T0 + 1_000_000);
        }
    }

    static List<ArchivedRecord> drain(Iterator<ArchivedRecord> iterator) {
        List<ArchivedRecord> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }
}
