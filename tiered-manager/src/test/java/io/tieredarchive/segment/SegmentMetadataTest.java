package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.options;
import static io.tieredarchive.segment.TestSegments.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tieredarchive.segment.SegmentMetadata.FileInfo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class SegmentMetadataTest {

    @TempDir
    Path dir;

    @Test
    void markerDescribesTheFilesOnDisk() throws Exception {
        List<ArchivedRecord> written = records(10, 500, 1);
        SegmentMetadata meta = TestSegments.write(dir, 10, written, options("zstd", 4096));
        SegmentFiles files = SegmentFiles.of(dir, 10);

        assertEquals(meta, SegmentMetadata.read(files.marker()));
        assertEquals(FileInfo.of(files.log()), meta.log());
        assertEquals(FileInfo.of(files.offsetIndex()), meta.offsetIndex());
        assertEquals(FileInfo.of(files.timeIndex()), meta.timeIndex());
        assertEquals(2, meta.formatVersion());
        assertEquals(TestSegments.TOPIC, meta.topic());
        assertEquals(TestSegments.PARTITION, meta.partition());
        assertEquals(10, meta.baseOffset());
        assertEquals(written.get(written.size() - 1).offset(), meta.lastOffset());
        assertEquals(written.size(), meta.recordCount());
        assertEquals(written.get(0).timestamp(), meta.firstTimestamp());
        assertEquals(written.stream().mapToLong(ArchivedRecord::timestamp).max().getAsLong(), meta.maxTimestamp());
        assertEquals("test-writer", meta.writerId());
        assertFalse(Files.exists(files.markerTemp()));
    }

    @Test
    void crc32cIsTheStandardOne() {
        // RFC 3720 test vector: CRC32C("123456789") = e3069283
        assertEquals(new FileInfo(9, "e3069283"), FileInfo.of("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void jsonRoundTripAndUnknownFieldsIgnored() throws Exception {
        SegmentMetadata meta = new SegmentMetadata(2, "t", 0, 5, 9, 4, 100, 200, "lz4", "w", 300,
                new FileInfo(10, "00000001"), new FileInfo(8, "00000002"), new FileInfo(12, "00000003"), "c", "t-id",
                3, "s3://b/p");
        assertEquals(meta, SegmentMetadata.fromBytes(meta.toBytes(), "m"));
        String extended = new String(meta.toBytes(), StandardCharsets.UTF_8).replaceFirst("\\{",
                "{ \"addedLater\" : [1, 2],");
        assertEquals(meta, SegmentMetadata.fromBytes(extended.getBytes(StandardCharsets.UTF_8), "m"));
    }

    @Test
    void incompleteOrInconsistentMarkersAreCorrupt() {
        CorruptSegmentException noFiles = assertThrows(CorruptSegmentException.class, () -> SegmentMetadata.fromBytes(
                "{\"formatVersion\":1,\"topic\":\"t\",\"codec\":\"none\",\"writerId\":\"w\"}".getBytes(), "x.json"));
        assertEquals("x.json", noFiles.objectName());
        SegmentMetadata bad = new SegmentMetadata(1, "t", 0, 5, 9, 6, 100, 200, "lz4", "w", 300,
                new FileInfo(10, "1"), new FileInfo(8, "2"), new FileInfo(12, "3"), null, null, -1, null);
        assertThrows(CorruptSegmentException.class, () -> SegmentMetadata.fromBytes(bad.toBytes(), "y.json"));
        assertThrows(CorruptSegmentException.class, () -> SegmentMetadata.fromBytes("[]".getBytes(), "z.json"));
    }

    @Test
    void missingMarkerSaysTheSegmentIsNotSealed() {
        SegmentException e = assertThrows(SegmentException.class,
                () -> SegmentMetadata.read(SegmentFiles.of(dir, 0).marker()));
        assertTrue(e.getMessage().contains("not sealed"), e.getMessage());
    }
}
