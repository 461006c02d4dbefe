package io.tieredarchive.source.testing;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Archives for the replay's tests, written as the sink writes them ({@link SegmentWriter}) and uploaded as the tier
 * uploads them ({@link RemoteSegmentStore}: objects verified, marker last, manifest registered); the local copies
 * are deleted afterwards, so every read goes to the store.
 */
public final class TestArchives {

    public static final String WRITER = "test-writer";

    private TestArchives() {
    }

    /**
     * Records of one partition at {@code offsets}, varied the way real topics are: null keys and values, 0 to 3
     * headers (one with a null value), values of 20 to 300 random bytes, timestamps from {@code t0} 10 ms apart with
     * jitter (not monotonic), and every 500 offsets a run of 40 log-append-time records sharing one timestamp.
     */
    public static List<ArchivedRecord> records(int partition, List<Long> offsets, long t0) {
        Random random = new Random(31L * partition + offsets.size());
        List<ArchivedRecord> records = new ArrayList<>(offsets.size());
        for (long o : offsets) {
            boolean logAppend = o % 500 >= 460;
            long ts = logAppend ? t0 + (o / 500) * 5000 + 4600 : t0 + o * 10 + random.nextInt(40) - 20;
            byte[] key = o % 7 == 0 ? null : ("key-" + partition + "-" + (o % 97)).getBytes(StandardCharsets.UTF_8);
            byte[] value = null;
            if (o % 11 != 0) {
                value = new byte[20 + random.nextInt(280)];
                random.nextBytes(value);
                byte[] id = (partition + ":" + o + ":").getBytes(StandardCharsets.UTF_8);
                System.arraycopy(id, 0, value, 0, Math.min(id.length, value.length));
            }
            Header[] headers = new Header[(int) (o % 4)];
            for (int h = 0; h < headers.length; h++) {
                headers[h] = new RecordHeader("h" + h, h == 1 ? null : ("v" + o + "-" + h).getBytes(
                        StandardCharsets.UTF_8));
            }
            records.add(new ArchivedRecord(o, ts, logAppend ? TimestampType.LOG_APPEND_TIME
                    : TimestampType.CREATE_TIME, key, value, headers));
        }
        return records;
    }

    /**
     * {@code count} records from offset 0, each with a key and a value that starts with
     * {@code "<partition>:<offset>:"} (then {@code valueBytes} in all), so a reader can tell every record apart.
     */
    public static List<ArchivedRecord> identifiedRecords(int partition, int count, int valueBytes, long t0) {
        Random random = new Random(partition);
        List<ArchivedRecord> records = new ArrayList<>(count);
        for (long o = 0; o < count; o++) {
            byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            byte[] id = (partition + ":" + o + ":").getBytes(StandardCharsets.UTF_8);
            System.arraycopy(id, 0, value, 0, id.length);
            records.add(new ArchivedRecord(o, t0 + o, TimestampType.CREATE_TIME,
                    ("k" + o).getBytes(StandardCharsets.UTF_8), value));
        }
        return records;
    }

    /** The offset a value from {@link #identifiedRecords} carries. */
    public static long identifiedOffset(byte[] value) {
        String s = new String(value, 0, Math.min(value.length, 24), StandardCharsets.ISO_8859_1);
        return Long.parseLong(s.split(":", 3)[1]);
    }

    /** Offsets {@code from} (inclusive) to {@code to} (exclusive). */
    public static List<Long> offsets(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long o = from; o < to; o++) {
            l.add(o);
        }
        return l;
    }

    /**
     * Writes {@code records} as segments of at most {@code perSegment} records each (zstd, small batches), uploads
     * and registers them, and deletes the local files.
     *
     * @return the segments' markers, in offset order
     */
    public static List<SegmentMetadata> archive(RemoteSegmentStore store, Path localDir, String topic, int partition,
                                                List<ArchivedRecord> records, int perSegment)
            throws SegmentException {
        return archive(store, localDir, topic, partition, records, perSegment,
                new SegmentWriterOptions("zstd", null, 8 * 1024, WRITER));
    }

    /** {@link #archive(RemoteSegmentStore, Path, String, int, List, int)} with the writer's own options. */
    public static List<SegmentMetadata> archive(RemoteSegmentStore store, Path localDir, String topic, int partition,
                                                List<ArchivedRecord> records, int perSegment,
                                                SegmentWriterOptions options) throws SegmentException {
        Path dir = localDir.resolve(topic + "-" + partition);
        List<SegmentMetadata> metas = new ArrayList<>();
        for (int i = 0; i < records.size(); i += perSegment) {
            List<ArchivedRecord> chunk = records.subList(i, Math.min(records.size(), i + perSegment));
            try (SegmentWriter writer = SegmentWriter.create(dir, topic, partition, chunk.get(0).offset(), options)) {
                for (ArchivedRecord r : chunk) {
                    writer.append(r);
                }
                SegmentMetadata meta = writer.seal(System.currentTimeMillis());
                store.upload(writer.files(), meta);
                metas.add(meta);
            }
        }
        store.register(ArchivePartition.of(metas.get(0)), metas);
        deleteRecursively(dir);
        return metas;
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
