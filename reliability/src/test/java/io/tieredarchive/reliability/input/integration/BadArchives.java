package io.tieredarchive.reliability.input.integration;

import io.tieredarchive.source.testing.TestArchives;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.record.TimestampType;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Archives in S3 written as the sink and the tier write them ({@link SegmentWriter}, then
 * {@link RemoteSegmentStore#upload} and {@link RemoteSegmentStore#register}), and the ways the tests damage them:
 * a flipped byte, a marker rewritten, an object removed, each applied to the file S3Proxy keeps the object in.
 */
final class BadArchives {

    static final String WRITER = "reliability-writer";

    private BadArchives() {
    }

    /** Records 0..count-1 whose value says which topic and offset they belong to, so a wrong one is recognised. */
    static List<ArchivedRecord> records(String topic, int count, long t0) {
        List<ArchivedRecord> records = new ArrayList<>(count);
        for (long o = 0; o < count; o++) {
            records.add(new ArchivedRecord(o, t0 + o, TimestampType.CREATE_TIME,
                    ("k" + o).getBytes(StandardCharsets.UTF_8),
                    (topic + ":" + o + ":" + "v".repeat(40)).getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    /** Writes segments of {@code perSegment} records, uploads and registers them, deletes the local copies. */
    static List<SegmentMetadata> archive(RemoteSegmentStore store, Path localDir, String topic,
                                         List<ArchivedRecord> records, int perSegment) throws SegmentException {
        return TestArchives.archive(store, localDir, topic, 0, records, perSegment,
                new SegmentWriterOptions("zstd", null, 4 * 1024, WRITER));
    }

    /** The four object keys of a segment. */
    static RemoteLayout.SegmentKeys keys(RemoteSegmentStore store, SegmentMetadata meta) {
        return store.layout().keys(meta);
    }

    /** XORs one byte of a file with 0x5a. */
    static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x5a);
        }
    }

    /** Every regular file under {@code dir}, relative to it. */
    static List<String> filesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
