package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.drain;
import static io.tieredarchive.segment.TestSegments.options;
import static io.tieredarchive.segment.TestSegments.records;
import static io.tieredarchive.segment.TestSegments.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Damaged bytes are reported with the object and the position; never returned as data. */
class SegmentCorruptionTest {

    @TempDir
    Path dir;

    private SegmentFiles files;
    private final List<Batch> batches = new ArrayList<>();

    /** Where Kafka's own reader finds each batch. */
    private record Batch(long position, int sizeInBytes, long baseOffset, long lastOffset) {
    }

    @BeforeEach
    void writeSegment() throws Exception {
        write(dir, 0, records(0, 600, 5), options("gzip", 4096));
        files = SegmentFiles.of(dir, 0);
        batches.addAll(kafkaBatches(files));
        assertTrue(batches.size() > 5);
    }

    @Test
    void flippedByteInsideABatchFailsItsCrc() throws Exception {
        Batch victim = batches.get(3);
        flip(files.log(), victim.position() + victim.sizeInBytes() / 2);

        CorruptSegmentException e = readAll();

        assertEquals(files.log().toString(), e.objectName());
        assertEquals(victim.position(), e.position());
        assertTrue(e.getMessage().contains("base offset " + victim.baseOffset()), e.getMessage());
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        assertTrue(e.getMessage().contains(files.log().toString()), e.getMessage());
    }

    @Test
    void recordsBeforeTheDamagedBatchAreReturnedThenTheErrorComes() throws Exception {
        Batch victim = batches.get(3);
        flip(files.log(), victim.position() + victim.sizeInBytes() - 1);
        try (SegmentReader reader = SegmentReader.open(files)) {
            var iterator = reader.recordsFrom(0);
            long last = -1;
            try {
                while (iterator.hasNext()) {
                    last = iterator.next().offset();
                }
            } catch (UncheckedSegmentException expected) {
                assertEquals(victim.position(), assertInstanceOf(CorruptSegmentException.class,
                        expected.getCause()).position());
            }
            assertEquals(batches.get(2).lastOffset(), last, "every record before the damaged batch, none after");
        }
    }

    @Test
    void flippedMagicIsReported() throws Exception {
        Batch victim = batches.get(1);
        flip(files.log(), victim.position() + 16);
        CorruptSegmentException e = readAll();
        assertEquals(victim.position(), e.position());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void flippedBaseOffsetOutsideTheCrcIsCaughtByTheIndex() throws Exception {
        // Kafka's batch CRC does not cover the base offset: without a cross-check, every offset would shift.
        Batch victim = batches.get(2);
        flip(files.log(), victim.position() + 7);
        CorruptSegmentException e = readAll();
        assertEquals(victim.position(), e.position());
        assertTrue(e.getMessage().contains("offset index"), e.getMessage());
    }

    /**
     * A batch whose CRC is right but whose compressed records are not (what a writer bug would leave): the reader
     * says so, naming the batch, and returns none of its records.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedRecordsThatDoNotDecompressAreReported(String codec) throws Exception {
        Path other = dir.resolve(codec);
        write(other, 0, records(0, 600, 5), options(codec, 4096));
        SegmentFiles damaged = SegmentFiles.of(other, 0);
        Batch victim = kafkaBatches(damaged).get(2);
        flip(damaged.log(), victim.position() + BatchHeader.SIZE); // the codec's magic or header
        fixCrc(damaged.log(), victim);
        CorruptSegmentException e = readAll(damaged);
        assertEquals(victim.position(), e.position());
        assertTrue(e.getMessage().contains("cannot decompress its records (" + codec + ")"), e.getMessage());
    }

    /** A record count that does not match the records (CRC right) is reported, both ways. */
    @ParameterizedTest
    @ValueSource(ints = {-1, 1})
    void aRecordCountThatDoesNotMatchTheRecordsIsReported(int change) throws Exception {
        Batch victim = batches.get(1);
        try (FileChannel channel = FileChannel.open(files.log(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer count = ByteBuffer.allocate(4);
            channel.read(count, victim.position() + BatchHeader.RECORDS_COUNT_OFFSET);
            channel.write(ByteBuffer.allocate(4).putInt(0, count.getInt(0) + change),
                    victim.position() + BatchHeader.RECORDS_COUNT_OFFSET);
        }
        fixCrc(files.log(), victim);
        CorruptSegmentException e = readAll();
        assertEquals(victim.position(), e.position());
        assertTrue(e.getMessage().contains(change < 0 ? "bytes follow its last record" : "cannot decode record"),
                e.getMessage());
    }

    @Test
    void flippedIndexByteIsRefusedAtOpen() throws Exception {
        flip(files.offsetIndex(), 13);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(files));
        assertEquals(files.offsetIndex().toString(), e.objectName());
        assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
    }

    @Test
    void truncatedLogIsRefusedAtOpen() throws Exception {
        try (FileChannel channel = FileChannel.open(files.log(), StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 1);
        }
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(files));
        assertEquals(files.log().toString(), e.objectName());
    }

    @Test
    void markerWithANewerFormatVersionIsRefusedNamingIt() throws Exception {
        String json = Files.readString(files.marker()).replace("\"formatVersion\" : 2", "\"formatVersion\" : 3");
        Files.writeString(files.marker(), json);
        SegmentException e = assertThrows(SegmentException.class, () -> SegmentReader.open(files));
        assertTrue(e.getMessage().contains(files.marker().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("formatVersion 3"), e.getMessage());

        SegmentException fromBytes = assertThrows(SegmentException.class, () -> SegmentMetadata.fromBytes(
                json.getBytes(StandardCharsets.UTF_8), "s3://bucket/orders/3/00000000000000000000.json"));
        assertTrue(fromBytes.getMessage().contains("s3://bucket/orders/3/00000000000000000000.json"));
    }

    @Test
    void unreadableMarkerIsCorrupt() throws Exception {
        Files.writeString(files.marker(), "{\"formatVersion\" : 1, \"topic\" : ");
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SegmentReader.open(files));
        assertEquals(files.marker().toString(), e.objectName());
    }

    private CorruptSegmentException readAll() throws SegmentException {
        return readAll(files);
    }

    private static CorruptSegmentException readAll(SegmentFiles files) throws SegmentException {
        try (SegmentReader reader = SegmentReader.open(files)) {
            UncheckedSegmentException e = assertThrows(UncheckedSegmentException.class,
                    () -> drain(reader.recordsFrom(0)));
            return assertInstanceOf(CorruptSegmentException.class, e.getCause());
        }
    }

    private static List<Batch> kafkaBatches(SegmentFiles files) throws IOException {
        List<Batch> found = new ArrayList<>();
        try (FileRecords log = FileRecords.open(files.log().toFile())) {
            for (FileChannelRecordBatch batch : log.batches()) {
                found.add(new Batch(batch.position(), batch.sizeInBytes(), batch.baseOffset(), batch.lastOffset()));
            }
        }
        return found;
    }

    /** Recomputes the batch's CRC-32C (bytes 21 to its end) after a change, as a writer bug would have it. */
    private static void fixCrc(Path log, Batch batch) throws IOException {
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(batch.sizeInBytes());
            channel.read(bytes, batch.position());
            CRC32C crc = new CRC32C();
            crc.update(bytes.array(), BatchHeader.ATTRIBUTES_OFFSET, batch.sizeInBytes() - BatchHeader.ATTRIBUTES_OFFSET);
            channel.write(ByteBuffer.allocate(4).putInt(0, (int) crc.getValue()),
                    batch.position() + BatchHeader.CRC_OFFSET);
        }
    }

    static void flip(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            channel.write(one, position);
        }
    }
}
