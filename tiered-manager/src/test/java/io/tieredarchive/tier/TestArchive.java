package io.tieredarchive.tier;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Sealed segments for the tier's tests: contiguous offsets, timestamps rising 10 ms per offset. */
public final class TestArchive {

    public static final String TOPIC = "orders";
    public static final long T0 = 1_700_000_000_000L;
    /** The incarnation test segments belong to, unless a test writes legacy ones. */
    public static final Incarnation INCARNATION = new Incarnation("test-cluster", "test-topic-id");
    /** Identified, complete-from unknown (so gaps between test segments read as compacted, not as holes). */
    public static final SegmentOrigin ORIGIN = new SegmentOrigin(INCARNATION.clusterId(), INCARNATION.topicId(), -1,
            null);

    /** Partition {@code partition} of {@code topic}'s test incarnation. */
    public static ArchivePartition partition(String topic, int partition) {
        return new ArchivePartition(topic, INCARNATION, partition);
    }

    private TestArchive() {
    }

    public static long timestampOf(long offset) {
        return T0 + offset * 10;
    }

    /** {@code count} records from {@code from}, values of {@code valueBytes} bytes that compress poorly. */
    public static List<ArchivedRecord> records(long from, int count, int valueBytes) {
        List<ArchivedRecord> records = new ArrayList<>(count);
        Random random = new Random(from);
        for (long offset = from; offset < from + count; offset++) {
            byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            records.add(new ArchivedRecord(offset, timestampOf(offset), TimestampType.CREATE_TIME,
                    ("key-" + offset).getBytes(StandardCharsets.UTF_8), value,
                    new Header[] {new RecordHeader("h", new byte[] {(byte) offset})}));
        }
        return records;
    }

    /** Writes and seals a segment of {@code count} records from {@code base} in {@code local/<topic>-<partition>}. */
    public static SegmentFiles seal(Path localDir, String topic, int partition, long base, int count, String writerId,
                             long sealedAtMs) throws SegmentException {
        return seal(localDir, topic, partition, base, count, writerId, sealedAtMs, 100, 16 * 1024);
    }

    public static SegmentFiles seal(Path localDir, String topic, int partition, long base, int count, String writerId,
                             long sealedAtMs, int valueBytes, int batchBytes) throws SegmentException {
        return seal(localDir, topic, partition, base, count, writerId, sealedAtMs, valueBytes, batchBytes, ORIGIN);
    }

    /** A segment of a given origin: {@link SegmentOrigin#UNKNOWN} for a legacy one (written before identities). */
    public static SegmentFiles seal(Path localDir, String topic, int partition, long base, int count, String writerId,
                             long sealedAtMs, int valueBytes, int batchBytes, SegmentOrigin origin)
            throws SegmentException {
        Path dir = partitionDir(localDir, topic, partition);
        SegmentWriterOptions options = new SegmentWriterOptions("none", null, batchBytes, writerId, origin);
        try (SegmentWriter writer = SegmentWriter.create(dir, topic, partition, base, options)) {
            for (ArchivedRecord r : records(base, count, valueBytes)) {
                writer.append(r);
            }
            writer.seal(sealedAtMs);
            return writer.files();
        }
    }

    public static Path partitionDir(Path localDir, String topic, int partition) {
        return localDir.resolve(topic + "-" + partition);
    }

    public static SegmentMetadata meta(SegmentFiles files) throws SegmentException {
        return SegmentMetadata.read(files.marker());
    }

    /**
     * {@code segments} segments of 10 records each in {@code partition} (offsets 0.., writer w1), sealed under
     * {@code localDir}, uploaded to {@code store} and registered in its manifest; returns their markers.
     */
    public static List<SegmentMetadata> archived(RemoteSegmentStore store, Path localDir, String topic, int partition,
                                                 int segments) throws Exception {
        List<SegmentMetadata> metas = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            SegmentFiles files = seal(localDir, topic, partition, i * 10L, 10, "w1", T0);
            SegmentMetadata meta = meta(files);
            store.upload(files, meta);
            store.register(partition(topic, partition), List.of(meta));
            metas.add(meta);
        }
        return metas;
    }
}
