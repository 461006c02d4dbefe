package io.tieredarchive.segment;

import io.tieredarchive.config.CompressionCodec;
import io.tieredarchive.segment.codec.BatchCompression;
import io.tieredarchive.segment.codec.GrowableBytes;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.Utils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Not a test: a side-by-side measurement of the segment writer's and reader's batch work, the plugin's own code
 * against what it replaced (Kafka's {@code MemoryRecordsBuilder} as the old {@code OpenBatch} drove it, and Kafka's
 * {@code DefaultRecordBatch} iterator as the old {@code RecordIterator} did), on the same records in memory: encode
 * and compress 1 MiB batches; CRC-check, decompress and decode them into {@link ArchivedRecord}s. Run it alone
 * (through {@code /work/tools/heavy}) with the test class path:
 * <pre>
 *   java -cp "$(cat cp.txt):tiered-manager/target/classes:tiered-manager/target/test-classes" \
 *     io.tieredarchive.segment.SegmentCodecBench events.txt [records] [rounds]
 * </pre>
 * {@code events.txt} is {@code examples/benchmark/events.py}'s output (the benchmark's ~1 KiB JSON events). It
 * prints MB/s of record value bytes, the median of the rounds, for each codec and both implementations.
 */
public final class SegmentCodecBench {

    private static final int BATCH_BYTES = 1024 * 1024;

    private SegmentCodecBench() {
    }

    public static void main(String[] args) throws Exception {
        List<byte[]> events = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8).stream()
                .map(line -> line.getBytes(StandardCharsets.UTF_8)).toList();
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        List<ArchivedRecord> records = new ArrayList<>(count);
        long valueBytes = 0;
        for (int i = 0; i < count; i++) {
            byte[] value = events.get((int) ((i * 2654435761L) % events.size()));
            records.add(new ArchivedRecord(i, 1_767_225_600_000L + i, TimestampType.CREATE_TIME, null, value,
                    new Header[] {new ArchivedHeader("trace", Long.toHexString(i).getBytes(StandardCharsets.UTF_8))}));
            valueBytes += value.length;
        }
        System.out.printf("%d records, %.1f MB of values, batches of %d bytes, median of %d rounds after 3 warm-up%n",
                count, valueBytes / 1e6, BATCH_BYTES, rounds);
        System.out.printf("%-7s %12s %12s %7s | %12s %12s %7s | %9s %9s%n", "codec", "write old", "write new",
                "new/old", "read old", "read new", "new/old", "size old", "size new");
        for (String codec : List.of("zstd", "lz4", "snappy", "gzip", "none")) {
            measure(codec, records, valueBytes, rounds);
        }
        openBatchHeap(records);
    }

    /**
     * Heap that 2,000 open zstd batches of four records each hold (the sink with 2,000 active partitions, between
     * flushes): Kafka's builder with its codec stream open, as the old OpenBatch held it, against ours.
     */
    private static void openBatchHeap(List<ArchivedRecord> records) {
        int partitions = 2000;
        Compression zstd = Compression.of(CompressionType.ZSTD).build();
        List<Object> held = new ArrayList<>();
        long before = usedHeapAfterGc();
        for (int p = 0; p < partitions; p++) {
            MemoryRecordsBuilder builder = new MemoryRecordsBuilder(new DoublingBuffer(4096), RecordBatch.MAGIC_VALUE_V2,
                    zstd, TimestampType.CREATE_TIME, 0, RecordBatch.NO_TIMESTAMP, RecordBatch.NO_PRODUCER_ID,
                    RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, false,
                    RecordBatch.NO_PARTITION_LEADER_EPOCH, BATCH_BYTES);
            for (int i = 0; i < 4; i++) {
                ArchivedRecord r = records.get(p * 4 + i);
                builder.appendWithOffset(i, r.timestamp(), r.key(), r.value(), r.headers());
            }
            held.add(builder);
        }
        long old = usedHeapAfterGc() - before;
        held.clear();
        before = usedHeapAfterGc();
        for (int p = 0; p < partitions; p++) {
            OpenBatch batch = OpenBatch.start(TimestampType.CREATE_TIME, 0, 0, BATCH_BYTES, 2048);
            for (int i = 0; i < 4; i++) {
                ArchivedRecord r = records.get(p * 4 + i);
                batch.append(new ArchivedRecord(i, r.timestamp(), r.timestampType(), r.key(), r.value(), r.headers()));
            }
            held.add(batch);
        }
        long ours = usedHeapAfterGc() - before;
        System.out.printf("heap of %d open zstd batches of 4 records: Kafka's builder %.1f MiB (%d KiB each), ours %.1f "
                + "MiB (%d KiB each)%n", partitions, old / 1048576.0, old / partitions / 1024, ours / 1048576.0,
                ours / partitions / 1024);
        held.clear();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void measure(String codec, List<ArchivedRecord> records, long valueBytes, int rounds)
            throws Exception {
        double[] writeOld = new double[rounds];
        double[] writeNew = new double[rounds];
        double[] readOld = new double[rounds];
        double[] readNew = new double[rounds];
        byte[] oldLog = null;
        byte[] newLog = null;
        for (int round = -3; round < rounds; round++) {
            long t0 = System.nanoTime();
            oldLog = writeWithKafka(codec, records);
            long t1 = System.nanoTime();
            newLog = writeOurs(codec, records);
            long t2 = System.nanoTime();
            long oldRead = readWithKafka(oldLog);
            long t3 = System.nanoTime();
            long newRead = readOurs(newLog, records.size());
            long t4 = System.nanoTime();
            if (oldRead != valueBytes || newRead != valueBytes) {
                throw new IllegalStateException("read back " + oldRead + " and " + newRead + " of " + valueBytes);
            }
            if (round >= 0) {
                writeOld[round] = valueBytes * 1e3 / (t1 - t0);
                writeNew[round] = valueBytes * 1e3 / (t2 - t1);
                readOld[round] = valueBytes * 1e3 / (t3 - t2);
                readNew[round] = valueBytes * 1e3 / (t4 - t3);
            }
        }
        double wo = median(writeOld);
        double wn = median(writeNew);
        double ro = median(readOld);
        double rn = median(readNew);
        System.out.printf("%-7s %7.0f MB/s %7.0f MB/s %7.2f | %7.0f MB/s %7.0f MB/s %7.2f | %9d %9d %s%n", codec, wo,
                wn, wn / wo, ro, rn, rn / ro, oldLog.length, newLog.length,
                Arrays.equals(oldLog, newLog) ? "(same bytes)" : "");
    }

    /** The old write path: one MemoryRecordsBuilder per batch over a buffer that starts at 4 KiB and doubles. */
    private static byte[] writeWithKafka(String codec, List<ArchivedRecord> records) {
        Compression compression = Compression.of(CompressionType.forName(codec)).build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MemoryRecordsBuilder builder = null;
        for (ArchivedRecord r : records) {
            if (builder != null && builder.uncompressedBytesWritten() + r.sizeInBytes() > BATCH_BYTES) {
                append(log, builder);
                builder = null;
            }
            if (builder == null) {
                builder = new MemoryRecordsBuilder(new DoublingBuffer(4096), RecordBatch.MAGIC_VALUE_V2, compression,
                        TimestampType.CREATE_TIME, r.offset(), RecordBatch.NO_TIMESTAMP, RecordBatch.NO_PRODUCER_ID,
                        RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, false,
                        RecordBatch.NO_PARTITION_LEADER_EPOCH, BATCH_BYTES);
            }
            builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
        }
        append(log, builder);
        return log.toByteArray();
    }

    private static void append(ByteArrayOutputStream log, MemoryRecordsBuilder builder) {
        builder.close();
        ByteBuffer built = builder.build().buffer();
        log.write(built.array(), built.arrayOffset() + built.position(), built.remaining());
    }

    /** The new write path: OpenBatch, compressed in one call into a pooled buffer, as SegmentWriter does. */
    private static byte[] writeOurs(String codec, List<ArchivedRecord> records) throws IOException {
        BatchCompression compression = BatchCompression.of(CompressionCodec.forName(codec), null);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        OpenBatch batch = null;
        for (ArchivedRecord r : records) {
            int size = r.sizeInBytes();
            if (batch != null && batch.uncompressedBytes() + size > BATCH_BYTES) {
                append(log, batch, compression);
                batch = null;
            }
            if (batch == null) {
                batch = OpenBatch.start(TimestampType.CREATE_TIME, r.offset(), r.timestamp(), BATCH_BYTES, size);
            }
            batch.append(r);
        }
        append(log, batch, compression);
        return log.toByteArray();
    }

    private static void append(ByteArrayOutputStream log, OpenBatch batch, BatchCompression compression)
            throws IOException {
        GrowableBytes scratch = CompressionBuffers.take();
        try {
            ByteBuffer built = batch.build(compression, scratch);
            log.write(built.array(), built.arrayOffset() + built.position(), built.remaining());
        } finally {
            CompressionBuffers.give(scratch);
        }
    }

    /** The old read path: Kafka's batches, CRC-checked, records copied out as the old RecordIterator did. */
    private static long readWithKafka(byte[] log) {
        long valueBytes = 0;
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(log)).batches()) {
            if (!batch.isValid()) {
                throw new IllegalStateException("CRC");
            }
            for (Record record : batch) {
                Header[] source = record.headers();
                Header[] headers = new Header[source.length];
                for (int i = 0; i < source.length; i++) {
                    headers[i] = new RecordHeader(source[i].key(), source[i].value());
                }
                ArchivedRecord copy = new ArchivedRecord(record.offset(), record.timestamp(), batch.timestampType(),
                        Utils.toNullableArray(record.key()), Utils.toNullableArray(record.value()), headers);
                valueBytes += copy.value().length;
            }
        }
        return valueBytes;
    }

    /** The new read path: the reader's LogScanner and RecordIterator over the same bytes in memory. */
    private static long readOurs(byte[] log, int records) {
        LogScanner scanner = new LogScanner(new MemoryByteSource(log), log.length,
                SegmentReader.DEFAULT_READ_BUFFER_BYTES, null);
        RecordIterator it = new RecordIterator(scanner, 0, 0, records - 1, null);
        long valueBytes = 0;
        while (it.hasNext()) {
            valueBytes += it.next().value().length;
        }
        return valueBytes;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The old OpenBatch's buffer: Kafka's ByteBufferOutputStream, doubling instead of growing by 10%. */
    private static final class DoublingBuffer extends ByteBufferOutputStream {
        DoublingBuffer(int initialCapacity) {
            super(ByteBuffer.allocate(initialCapacity));
        }

        @Override
        public void ensureRemaining(int remainingBytesRequired) {
            if (remainingBytesRequired > remaining()) {
                super.ensureRemaining(Math.max(remainingBytesRequired, limit()));
            }
        }
    }

    private record MemoryByteSource(byte[] bytes) implements ByteSource {
        @Override
        public String name() {
            return "memory";
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public int read(long position, ByteBuffer dst) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, (int) position, n);
            return n;
        }

        @Override
        public void close() {
        }
    }
}
