package io.tieredarchive.dr;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The figure of docs/disaster-recovery.md: how long translating 1,000 groups x 100 partitions takes. Not part of
 * the build (the class name does not end in Test); run it alone on a quiet machine:
 * <pre>
 * /work/tools/heavy mvn -o -B -pl tiered-manager -am test -Dtest=TranslationBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * What is timed is what {@code GroupRestore.plan} does with what it has read: parse the group snapshot (read from the
 * store), parse the offset syncs (as the syncs topic holds them: one JSON value per run), and translate every
 * committed offset. Two archives of 100 partitions: a plain topic (100,000 records per partition, replayed in
 * transactions of 1,000, so every run is dense and a translation is arithmetic), and a compacted one (every other
 * offset, 10,000 records per partition in runs of 500 with gaps, so every run a group sits in is read from the
 * archive once). Reading the syncs topic and committing offsets are Kafka I/O and are not in the figure. Each case
 * is measured 7 times; the median is printed. The answers are checked against the rule, so it cannot report the
 * speed of wrong results.
 */
class TranslationBenchmark {

    private static final int GROUPS = 1_000;
    private static final int PARTITIONS = 100;
    private static final int REPEATS = 7;

    @TempDir
    Path tempDir;

    @Test
    void translateAThousandGroupsOfAHundredPartitions() throws Exception {
        RemoteSegmentStore store = new RemoteSegmentStore(new FileSystemStorageBackend(tempDir.resolve("bucket")),
                "bench", System::currentTimeMillis);
        try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            report("plain topic (dense runs)", measure(store, reader, "plain", 100_000, 1, 1_000, false));
            report("compacted topic (runs with gaps, read from the archive)",
                    measure(store, reader, "compacted", 10_000, 2, 500, true));
        } finally {
            store.close();
        }
    }

    /** Milliseconds of each repeat: snapshot parse, syncs parse, translation. */
    private long[][] measure(RemoteSegmentStore store, ArchiveReader reader, String topic, int records, int step,
                             int runLength, boolean archiveIt) throws Exception {
        if (archiveIt) {
            for (int p = 0; p < PARTITIONS; p++) {
                archive(store, topic, p, records, step);
            }
        }
        List<byte[]> syncValues = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            long target = 0;
            for (int i = 0; i < records; i += runLength) {
                long first = (long) i * step;
                long last = (long) (i + runLength - 1) * step;
                syncValues.add(new OffsetSync(topic, TestArchive.INCARNATION.id(), p, topic, "tid", p, first, last,
                        target, runLength, 0L, "bench-0").value());
                target += runLength + 1; // a commit marker after each transaction
            }
        }
        Random random = new Random(7);
        Map<String, Map<Integer, GroupOffsetsSnapshot.CommittedOffset>> groups = new HashMap<>();
        for (int g = 0; g < GROUPS; g++) {
            Map<Integer, GroupOffsetsSnapshot.CommittedOffset> offsets = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                offsets.put(p, new GroupOffsetsSnapshot.CommittedOffset(random.nextInt(records * step), ""));
            }
            groups.put("group-" + g, offsets);
        }
        ArchiveSnapshots snapshots = new ArchiveSnapshots(store);
        long at = System.currentTimeMillis();
        snapshots.write(GroupOffsetsSnapshot.of(topic, TestArchive.INCARNATION, at, "bench", PARTITIONS, groups));

        long[][] times = new long[REPEATS][3];
        for (int r = 0; r < REPEATS; r++) {
            long t0 = System.nanoTime();
            GroupOffsetsSnapshot snapshot = snapshots.groupsAt(topic, TestArchive.INCARNATION, at).orElseThrow();
            long t1 = System.nanoTime();
            Map<Integer, List<OffsetSync>> runs = new HashMap<>();
            for (byte[] v : syncValues) {
                OffsetSync s = OffsetSync.fromValue(v);
                runs.computeIfAbsent(s.partition(), k -> new ArrayList<>()).add(s);
            }
            long t2 = System.nanoTime();
            long translated = translate(store, reader, topic, snapshot, runs, records, step, runLength, archiveIt);
            long t3 = System.nanoTime();
            assertEquals((long) GROUPS * PARTITIONS, translated);
            times[r] = new long[] {(t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000};
        }
        return times;
    }

    /** Translates every offset of the snapshot, partition by partition in offset order, and checks each answer. */
    private long translate(RemoteSegmentStore store, ArchiveReader reader, String topic, GroupOffsetsSnapshot s,
                           Map<Integer, List<OffsetSync>> runs, int records, int step, int runLength,
                           boolean archived)
            throws Exception {
        Map<Integer, long[]> byPartition = new HashMap<>();
        Map<Integer, Integer> sizes = new HashMap<>();
        s.groups().values().forEach(offsets -> offsets.forEach((p, c) -> {
            long[] a = byPartition.computeIfAbsent(p, k -> new long[GROUPS]);
            int n = sizes.merge(p, 1, Integer::sum);
            a[n - 1] = c.offset();
        }));
        AtomicLong count = new AtomicLong();
        for (Map.Entry<Integer, long[]> e : byPartition.entrySet()) {
            int p = e.getKey();
            PartitionLogs.Archived archive = archived
                    ? new ArchiveLog(reader, store.view(new ArchivePartition(topic, TestArchive.INCARNATION, p)))
                    : (from, to, max) -> {
                        throw new AssertionError("dense runs never read the archive");
                    };
            PartitionTranslator translator = new PartitionTranslator(topic + "-" + p, runs.get(p), archive,
                    NO_TARGET);
            long[] offsets = e.getValue();
            Arrays.sort(offsets);
            for (long o : offsets) {
                Translation t = translator.translate(o);
                assertTrue(t.isExact(), t.toString());
                long rank = (o + step - 1) / step; // records before the first at or after o
                long markers = rank / runLength - (rank == records ? 1 : 0); // the end: the offset after the last
                assertEquals(rank + markers, t.targetOffset(), "offset " + o);
                count.incrementAndGet();
            }
        }
        return count.get();
    }

    private static final PartitionLogs.Target NO_TARGET = new PartitionLogs.Target() {
        @Override
        public long startOffset() {
            return 0;
        }

        @Override
        public long endOffset() {
            return Long.MAX_VALUE;
        }

        @Override
        public List<ArchivedRecord> read(long from, long toExclusive, int max) {
            return List.of(); // every record has a sync: nothing after the last run (a translation past it asks)
        }
    };

    private void archive(RemoteSegmentStore store, String topic, int p, int records, int step) throws Exception {
        SegmentWriterOptions options = new SegmentWriterOptions("zstd", null, 64 * 1024, "bench", TestArchive.ORIGIN);
        Path dir = tempDir.resolve("local").resolve(topic + "-" + p);
        try (SegmentWriter writer = SegmentWriter.create(dir, topic, p, 0, options)) {
            for (int i = 0; i < records; i++) {
                long o = (long) i * step;
                writer.append(new ArchivedRecord(o, TestArchive.timestampOf(o), TimestampType.CREATE_TIME,
                        ("k" + o).getBytes(StandardCharsets.UTF_8), ("v" + o).getBytes(StandardCharsets.UTF_8),
                        new Header[0]));
            }
            SegmentMetadata meta = writer.seal(System.currentTimeMillis());
            store.upload(writer.files(), meta);
            store.register(ArchivePartition.of(meta), List.of(meta));
        }
    }

    private static void report(String what, long[][] times) {
        long[] total = new long[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            total[r] = times[r][0] + times[r][1] + times[r][2];
        }
        int median = 0;
        long[] sorted = total.clone();
        Arrays.sort(sorted);
        for (int r = 0; r < REPEATS; r++) {
            if (total[r] == sorted[REPEATS / 2]) {
                median = r;
            }
        }
        System.out.printf("TRANSLATION BENCHMARK %s: %d groups x %d partitions = %d offsets in %d ms (median of %d: "
                        + "snapshot %d ms, syncs %d ms, translation %d ms; all runs %s ms)%n", what, GROUPS,
                PARTITIONS, GROUPS * PARTITIONS, total[median], REPEATS, times[median][0], times[median][1],
                times[median][2], Arrays.toString(total));
    }
}
