package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.PARTITION;
import static io.tieredarchive.segment.TestSegments.TOPIC;
import static io.tieredarchive.segment.TestSegments.drain;
import static io.tieredarchive.segment.TestSegments.options;
import static io.tieredarchive.segment.TestSegments.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tieredarchive.segment.SegmentRecovery.RecoveryResult;

import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An active segment cut short by a crash recovers to its last whole batch, with valid indexes. */
class SegmentRecoveryTest {

    @TempDir
    Path dir;

    private SegmentFiles files;
    private List<ArchivedRecord> written;
    /** Position and last offset of each batch, as Kafka's own reader sees them. */
    private final List<long[]> batches = new ArrayList<>();

    /** An unsealed segment: batches written, the writer closed without sealing (as by a crash). */
    @BeforeEach
    void writeUnsealedSegment() throws Exception {
        written = records(2_000, 1_500, 9);
        SegmentWriter writer = SegmentWriter.create(dir, TOPIC, PARTITION, 2_000, options("snappy", 4096));
        for (ArchivedRecord record : written) {
            writer.append(record);
        }
        writer.flushBatch();
        writer.close();
        files = SegmentFiles.of(dir, 2_000);
        assertFalse(files.isSealed());
        try (FileRecords log = FileRecords.open(files.log().toFile())) {
            for (FileChannelRecordBatch batch : log.batches()) {
                batches.add(new long[] {batch.position(), batch.lastOffset()});
            }
        }
    }

    @Test
    void tornLastBatchIsCutAndTheRestSealsAndReads() throws Exception {
        long size = Files.size(files.log());
        long[] last = batches.get(batches.size() - 1);
        long[] kept = batches.get(batches.size() - 2);
        truncate(size - 10);

        RecoveryResult result = SegmentRecovery.recover(files, TOPIC, PARTITION);

        assertEquals(last[0], result.validBytes());
        assertEquals(size - 10 - last[0], result.truncatedBytes());
        assertEquals(kept[1], result.lastOffset());
        List<ArchivedRecord> expected = written.stream().filter(r -> r.offset() <= kept[1]).toList();
        assertEquals(expected.size(), result.recordCount());
        assertEquals(last[0], Files.size(files.log()));
        assertKafkaAcceptsIndexes();

        Optional<SegmentMetadata> sealed = SegmentRecovery.recoverAndSeal(files, TOPIC, PARTITION, "w2", 1L);
        assertTrue(sealed.isPresent());
        assertEquals(kept[1], sealed.get().lastOffset());
        try (SegmentReader reader = SegmentReader.open(files)) {
            assertEquals(expected, drain(reader.recordsFrom(0)));
        }
    }

    @Test
    void tornHeaderIsCut() throws Exception {
        long[] third = batches.get(2);
        truncate(third[0] + 20); // 20 bytes into the third batch's 61-byte header

        RecoveryResult result = SegmentRecovery.recover(files, TOPIC, PARTITION);

        assertEquals(third[0], result.validBytes());
        assertEquals(20, result.truncatedBytes());
        assertEquals(batches.get(1)[1], result.lastOffset());
        assertKafkaAcceptsIndexes();
    }

    @Test
    void badCrcAtTheTailIsCut() throws Exception {
        long[] last = batches.get(batches.size() - 1);
        long size = Files.size(files.log());
        SegmentCorruptionTest.flip(files.log(), size - 3);

        RecoveryResult result = SegmentRecovery.recover(files, TOPIC, PARTITION);

        assertEquals(last[0], result.validBytes());
        assertEquals(size - last[0], result.truncatedBytes());
        assertEquals(batches.get(batches.size() - 2)[1], result.lastOffset());
        assertKafkaAcceptsIndexes();
    }

    @Test
    void wholeSegmentIsKeptAsItIs() throws Exception {
        long size = Files.size(files.log());
        RecoveryResult result = SegmentRecovery.recover(files, TOPIC, PARTITION);
        assertEquals(new RecoveryResult(size, 0, written.get(written.size() - 1).offset(), written.size()), result);
        assertKafkaAcceptsIndexes();
    }

    @Test
    void nothingWholeLeftDeletesTheSegmentOnSeal() throws Exception {
        truncate(30);
        Files.write(files.markerTemp(), new byte[] {'{'}); // the crash came while the marker was written
        assertEquals(Optional.empty(), SegmentRecovery.recoverAndSeal(files, TOPIC, PARTITION, "w2", 1L));
        for (Path path : files.allIncludingTemp()) {
            assertFalse(Files.exists(path), path + " is left");
        }
        assertEquals(List.of(), SegmentFiles.list(dir));
    }

    @Test
    void sealedSegmentIsNotTouched() throws Exception {
        SegmentRecovery.recoverAndSeal(files, TOPIC, PARTITION, "w2", 1L);
        SegmentException e = assertThrows(SegmentException.class,
                () -> SegmentRecovery.recover(files, TOPIC, PARTITION));
        assertTrue(e.getMessage().contains("sealed"), e.getMessage());
    }

    private void truncate(long size) throws Exception {
        try (FileChannel channel = FileChannel.open(files.log(), StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    /** Kafka's DumpLogSegments finds no mismatch between the rebuilt indexes and the log. */
    private void assertKafkaAcceptsIndexes() throws Exception {
        String errors = DumpLogTool.verifyIndexes(files);
        assertTrue(errors.isBlank(), errors);
        assertTrue(Files.size(files.offsetIndex()) > 0);
    }
}
