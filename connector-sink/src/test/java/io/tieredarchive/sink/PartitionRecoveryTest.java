package io.tieredarchive.sink;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.LocalTier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What opening a partition leaves in its directory, on real segments: sealed ones stay, unsealed ones (a crash's
 * leftovers) are deleted, and a directory that is not one valid sequence of sealed segments is refused naming the
 * file.
 */
class PartitionRecoveryTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final SegmentWriterOptions OPTIONS = new SegmentWriterOptions("none", null, 4096, "writer-1");

    @TempDir
    Path localDir;

    private Path dir() {
        return localDir.resolve("orders-0");
    }

    /** Writes offsets {@code from..to-1} into a segment of {@code tp} in {@code dir}; sealed when asked. */
    private static SegmentWriter write(Path dir, TopicPartition tp, long from, long to, boolean seal)
            throws Exception {
        SegmentWriter writer = SegmentWriter.create(dir, tp.topic(), tp.partition(), from, OPTIONS);
        for (long offset = from; offset < to; offset++) {
            writer.append(new ArchivedRecord(offset, offset, TimestampType.CREATE_TIME, null,
                    ("v" + offset).getBytes(StandardCharsets.UTF_8)));
        }
        if (seal) {
            writer.seal(1_000);
        } else {
            writer.flushBatch();
        }
        return writer;
    }

    @Test
    void aPartitionWithoutADirectoryHasNothingArchived() throws Exception {
        PartitionRecovery.Result result = PartitionRecovery.recover(dir(), TP);
        assertEquals(-1, result.sealedEnd());
        assertEquals(0, result.sealedSegments());
        assertEquals(List.of(), result.discarded());
    }

    @Test
    void sealedSegmentsStayAndTheUnsealedOneACrashLeftIsDeleted() throws Exception {
        write(dir(), TP, 0, 10, true);
        write(dir(), TP, 10, 25, true);
        SegmentWriter cut = write(dir(), TP, 25, 40, false);
        Path markerTemp = cut.files().marker().resolveSibling(cut.files().marker().getFileName() + ".tmp");
        Files.writeString(markerTemp, "{"); // a seal interrupted while writing the marker

        PartitionRecovery.Result result = PartitionRecovery.recover(dir(), TP);

        assertEquals(25, result.sealedEnd(), "the archive ends after the last sealed record");
        assertEquals(2, result.sealedSegments());
        assertEquals(List.of(0L, 10L), result.sealed().stream().map(SegmentMetadata::baseOffset).toList());
        assertEquals(List.of(cut.files()), result.discarded());
        for (Path file : cut.files().all()) {
            assertFalse(Files.exists(file), file + " of the unsealed segment deleted");
        }
        assertFalse(Files.exists(markerTemp), "the interrupted marker deleted too");
        assertEquals(LongStream.range(0, 25).boxed().toList(), ArchiveContents.offsets(dir()),
                "the sealed records are untouched");
    }

    @Test
    void aTieredSegmentIsNotSizeCheckedAndOneBeingFreedIsLeftToLocalRetention() throws Exception {
        SegmentWriter first = write(dir(), TP, 0, 10, true);
        SegmentWriter second = write(dir(), TP, 10, 20, true);
        LocalTier.markTiered(first.files(), "archive/orders/0/00000000000000000000-writer-1.json");
        LocalTier.markTiered(second.files(), "archive/orders/0/00000000000000000010-writer-1.json");
        Files.delete(first.files().log()); // local retention deletes the .log first, .tiered last
        try (var log = Files.newByteChannel(second.files().log(), StandardOpenOption.WRITE)) {
            log.truncate(1); // a tiered copy is not the archive any more: S3 holds it
        }

        PartitionRecovery.Result result = PartitionRecovery.recover(dir(), TP);

        assertEquals(20, result.sealedEnd(), "the tiered records are in S3: not archived again");
        assertEquals(List.of(), result.discarded(), "nothing of a tiered segment is discarded as unsealed");
        assertTrue(Files.exists(first.files().marker()), "the segment being freed is left to local retention");
    }

    @Test
    void aSealedLogThatIsNotTheSizeItsMarkerRecordsIsRefusedNamingIt() throws Exception {
        SegmentWriter writer = write(dir(), TP, 0, 10, true);
        long size = Files.size(writer.files().log());
        try (var channel = Files.newByteChannel(writer.files().log(), StandardOpenOption.WRITE)) {
            channel.truncate(size - 5);
        }

        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> PartitionRecovery.recover(dir(), TP));
        assertTrue(e.getMessage().contains(writer.files().log().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("is " + (size - 5) + " bytes long but its marker records " + size),
                e.getMessage());
        assertTrue(Files.exists(writer.files().marker()), "nothing is deleted");
    }

    @Test
    void aSegmentOfAnotherPartitionIsRefusedNamingItsMarker() throws Exception {
        TopicPartition other = new TopicPartition("orders", 1);
        SegmentWriter writer = write(localDir.resolve("orders-1"), other, 0, 10, true);
        Files.createDirectories(dir());
        for (Path file : writer.files().all()) {
            Files.copy(file, dir().resolve(file.getFileName()));
        }

        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> PartitionRecovery.recover(dir(), TP));
        assertTrue(e.getMessage().contains(SegmentFiles.of(dir(), 0).marker().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("describes orders-1"), e.getMessage());
    }

    @Test
    void overlappingSealedSegmentsAreRefusedAsTwoWritersOfTheSameRecords() throws Exception {
        write(dir(), TP, 0, 10, true);
        write(dir(), TP, 5, 15, true);

        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> PartitionRecovery.recover(dir(), TP));
        assertTrue(e.getMessage().contains("offsets 5..14 overlap the previous sealed segment, which ends at offset 9"),
                e.getMessage());
    }
}
