package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.PARTITION;
import static io.tieredarchive.segment.TestSegments.T0;
import static io.tieredarchive.segment.TestSegments.TOPIC;
import static io.tieredarchive.segment.TestSegments.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The segment writer and reader are the plugin's own code, not Kafka's record classes; these tests hold them to
 * Kafka's: batches the writer makes decode with Kafka's {@code MemoryRecords}/{@code DefaultRecordBatch} (CRC valid,
 * every field equal, through both the iterator {@code kafka-dump-log} uses and the streaming one a consumer uses),
 * batches Kafka's {@code MemoryRecordsBuilder} makes decode with the reader, for every codec (with batches larger than
 * an LZ4 block of 64 KiB and a snappy block of 32 KiB, compressible and not), and an uncompressed batch is Kafka's
 * byte for byte.
 */
class KafkaRecordFormatInteropTest {

    private static final int BATCH_BYTES = 256 * 1024;

    @TempDir
    Path dir;

    /**
     * TestSegments' mix (offset gaps, null keys and values, headers with null values, CREATE_TIME and runs of
     * LOG_APPEND_TIME) and more: a gap of a million offsets, a record without a timestamp, empty key and value, a
     * header key outside ASCII, and values of 150 KiB random bytes (LZ4 stores those blocks uncompressed) and 200 KiB
     * of text.
     */
    private static List<ArchivedRecord> varied(long firstOffset) {
        List<ArchivedRecord> records = new ArrayList<>(TestSegments.records(firstOffset, 3000, 3));
        Random random = new Random(17);
        long offset = records.get(records.size() - 1).offset() + 1_000_000;
        records.add(new ArchivedRecord(offset++, -1, TimestampType.NO_TIMESTAMP_TYPE, new byte[0], new byte[0],
                new Header[] {new ArchivedHeader("ключ-\uD83D\uDD11", new byte[] {0, -1})}));
        byte[] noise = new byte[150 * 1024];
        random.nextBytes(noise);
        records.add(new ArchivedRecord(offset++, T0 + 5_000_000, TimestampType.CREATE_TIME, null, noise));
        byte[] text = "the quick brown fox jumps over the lazy dog; ".repeat(4600).getBytes(StandardCharsets.UTF_8);
        records.add(new ArchivedRecord(offset++, T0 + 4_000_000, TimestampType.CREATE_TIME, "k".getBytes(
                StandardCharsets.UTF_8), text));
        for (int i = 0; i < 50; i++) {
            records.add(new ArchivedRecord(offset, T0 + 6_000_000 + i, TimestampType.CREATE_TIME, null,
                    TestSegments.randomBytes(random, 500)));
            offset += 1 + i % 2;
        }
        return records;
    }

    @ParameterizedTest
    @CsvSource(nullValues = "default", value = {"none,default", "gzip,default", "gzip,1", "snappy,default",
        "lz4,default", "lz4,12", "zstd,default", "zstd,-5", "zstd,19"})
    void batchesWeWriteDecodeWithKafkasClassesFieldByField(String codec, Integer level) throws Exception {
        List<ArchivedRecord> written = varied(500);
        TestSegments.write(dir, 500, written, new SegmentWriterOptions(codec, level, BATCH_BYTES, "w"));
        ByteBuffer log = ByteBuffer.wrap(Files.readAllBytes(SegmentFiles.of(dir, 500).log()));

        int next = 0;
        int batches = 0;
        for (RecordBatch batch : MemoryRecords.readableRecords(log).batches()) {
            batch.ensureValid(); // the CRC, as a consumer with check.crcs does
            assertEquals(RecordBatch.MAGIC_VALUE_V2, batch.magic());
            assertEquals(codec, batch.compressionType().name);
            assertEquals(RecordBatch.NO_PRODUCER_ID, batch.producerId());
            assertEquals(RecordBatch.NO_PRODUCER_EPOCH, batch.producerEpoch());
            assertEquals(RecordBatch.NO_SEQUENCE, batch.baseSequence());
            assertEquals(RecordBatch.NO_PARTITION_LEADER_EPOCH, batch.partitionLeaderEpoch());
            assertFalse(batch.isTransactional());
            assertFalse(batch.isControlBatch());
            List<Record> records = new ArrayList<>();
            batch.iterator().forEachRemaining(records::add);
            assertSameRecords(records, streamed(batch), batch.toString());
            List<ArchivedRecord> expected = written.subList(next, next + records.size());
            assertBatchMatches(batch, records, expected);
            next += records.size();
            batches++;
        }
        assertEquals(written.size(), next, "records Kafka decoded");
        assertTrue(batches > 10, "batches: " + batches);
    }

    /** The records as a consumer's fetcher reads them: the streaming iterator, decompressing as it goes. */
    private static List<Record> streamed(RecordBatch batch) {
        List<Record> records = new ArrayList<>();
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.create())) {
            it.forEachRemaining(records::add);
        }
        return records;
    }

    private static void assertSameRecords(List<Record> a, List<Record> b, String batch) {
        assertEquals(a.size(), b.size(), batch);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(archived(a.get(i), TimestampType.CREATE_TIME), archived(b.get(i), TimestampType.CREATE_TIME));
        }
    }

    private static void assertBatchMatches(RecordBatch batch, List<Record> records, List<ArchivedRecord> expected) {
        assertEquals(expected.size(), batch.countOrNull());
        assertEquals(expected.get(0).offset(), batch.baseOffset());
        assertEquals(expected.get(expected.size() - 1).offset(), batch.lastOffset());
        TimestampType type = expected.get(0).timestampType() == TimestampType.LOG_APPEND_TIME
                ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        assertEquals(type, batch.timestampType());
        assertEquals(expected.stream().mapToLong(ArchivedRecord::timestamp).max().orElseThrow(), batch.maxTimestamp());
        for (int i = 0; i < records.size(); i++) {
            Record record = records.get(i);
            record.ensureValid();
            ArchivedRecord want = expected.get(i);
            ArchivedRecord got = archived(record, batch.timestampType());
            if (want.timestampType() == TimestampType.NO_TIMESTAMP_TYPE) {
                assertEquals(RecordBatch.NO_TIMESTAMP, record.timestamp());
                got = new ArchivedRecord(got.offset(), got.timestamp(), TimestampType.NO_TIMESTAMP_TYPE, got.key(),
                        got.value(), got.headers());
            }
            assertEquals(want, got, "record " + i + " of " + batch);
        }
    }

    private static ArchivedRecord archived(Record record, TimestampType type) {
        return new ArchivedRecord(record.offset(), record.timestamp(), type, Utils.toNullableArray(record.key()),
                Utils.toNullableArray(record.value()), record.headers());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void batchesKafkaWritesDecodeWithOurReader(String codec) throws Exception {
        CompressionType type = CompressionType.forName(codec);
        List<ArchivedRecord> expected = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        long logAppendTime = T0 + 77_000;
        List<ArchivedRecord> all = varied(1000);
        // Kafka's batches: CREATE_TIME ones as they come, and every run of LOG_APPEND_TIME records in a batch that
        // Kafka stamps with one log-append time (the records' own timestamps differ: a reader must report the
        // batch's).
        int from = 0;
        while (from < all.size()) {
            TimestampType batchType = all.get(from).timestampType() == TimestampType.LOG_APPEND_TIME
                    ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
            MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2,
                    Compression.of(type).build(), batchType, all.get(from).offset(),
                    batchType == TimestampType.LOG_APPEND_TIME ? logAppendTime : RecordBatch.NO_TIMESTAMP);
            int to = from;
            while (to < all.size() && to - from < 700 && sameBatchType(all.get(to), batchType)) {
                ArchivedRecord r = all.get(to);
                long ownTimestamp = batchType == TimestampType.LOG_APPEND_TIME ? r.timestamp() - to : r.timestamp();
                builder.appendWithOffset(r.offset(), ownTimestamp, r.key(), r.value(), r.headers());
                expected.add(batchType == TimestampType.LOG_APPEND_TIME ? new ArchivedRecord(r.offset(),
                        logAppendTime, TimestampType.LOG_APPEND_TIME, r.key(), r.value(), r.headers()) : r);
                to++;
            }
            ByteBuffer built = builder.build().buffer();
            log.write(built.array(), built.arrayOffset() + built.position(), built.remaining());
            from = to;
        }
        SegmentFiles files = SegmentFiles.of(dir, 1000);
        Files.write(files.log(), log.toByteArray());

        // Recovery indexes and seals a .log it did not write; the reader then reads it like any segment.
        SegmentMetadata meta = SegmentRecovery.recoverAndSeal(files, TOPIC, PARTITION, "kafka", T0).orElseThrow();
        assertEquals(expected.size(), meta.recordCount());
        assertEquals(codec, meta.codec());
        try (SegmentReader reader = SegmentReader.open(files)) {
            assertEquals(expected, drain(reader.recordsFrom(0)));
            assertEquals(expected.subList(10, expected.size()), drain(reader.recordsFrom(expected.get(10).offset())));
        }
        assertTrue(DumpLogTool.verifyIndexes(files).isBlank());
    }

    private static boolean sameBatchType(ArchivedRecord record, TimestampType batchType) {
        return (record.timestampType() == TimestampType.LOG_APPEND_TIME) == (batchType
                == TimestampType.LOG_APPEND_TIME);
    }

    @Test
    void anUncompressedBatchIsKafkasByteForByte() throws Exception {
        List<ArchivedRecord> written = varied(0);
        TestSegments.write(dir, 0, written, TestSegments.options("none", BATCH_BYTES));
        byte[] ours = Files.readAllBytes(SegmentFiles.of(dir, 0).log());

        // Kafka's builder, given the same records cut into the same batches, writes the same bytes.
        ByteArrayOutputStream kafkas = new ByteArrayOutputStream();
        int next = 0;
        for (RecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(ours)).batches()) {
            long appendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp()
                    : RecordBatch.NO_TIMESTAMP;
            MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2,
                    Compression.NONE, batch.timestampType(), batch.baseOffset(), appendTime);
            for (int i = 0; i < batch.countOrNull(); i++) {
                ArchivedRecord r = written.get(next++);
                builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
            }
            ByteBuffer built = builder.build().buffer();
            kafkas.write(built.array(), built.arrayOffset() + built.position(), built.remaining());
        }
        assertEquals(written.size(), next);
        assertArrayEquals(kafkas.toByteArray(), ours);
    }
}
