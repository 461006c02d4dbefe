package io.tieredarchive.sink;

import io.tieredarchive.config.LocalTierConfig;
import io.tieredarchive.scaling.CountingMemoryBackend;
import io.tieredarchive.scaling.RequestTally;
import io.tieredarchive.scaling.SyntheticWorkload;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request-count simulation of docs/scaling.md: a day of a synthetic 100,000-partition workload at 1 GB/s
 * ({@link SyntheticWorkload}) through the sink's real segment rolling ({@link PartitionArchive}: segment.bytes,
 * segment.ms), the real {@link TieringService} passes (upload, verification, manifest update, local retention) and
 * the real {@link io.tieredarchive.tier.remote.RemoteLayout}, against {@link CountingMemoryBackend}. Time is
 * simulated: the clock jumps from event to event, nothing sleeps.
 *
 * <p>A partition's requests do not depend on the others' (uploads, manifests and retention are per partition), so
 * each sampled partition runs alone, with its own local.dir and tiering service; its counts are multiplied by the
 * number of partitions it stands for. A busy partition runs with 1/k of its records (k a power of two, at least two
 * records a second kept) and segment.bytes / k; the backend counts its .log as k times its size.
 *
 * <p>Off in CI. Run: {@code mvn -o -B -pl connector-sink -am test -Dtest=ScalingSimulationTest
 * -Dscaling.sim=true -Dsurefire.failIfNoSpecifiedTests=false}; options {@code -Dscaling.top=},
 * {@code -Dscaling.strata=}, {@code -Dscaling.exponent=}, {@code -Dscaling.dir=} (default /dev/shm).
 */
@EnabledIfSystemProperty(named = "scaling.sim", matches = "true")
class ScalingSimulationTest {

    private static final int PARTITIONS = 100_000;
    private static final double BYTES_PER_SEC = 1e9;
    private static final int RECORD_BYTES = 1024;
    /** zstd level 3 on the benchmark's events (docs/benchmarks.md case 6: 4.53). */
    private static final double COMPRESSION_RATIO = 4.5;
    private static final long DAY_MS = 86_400_000L;
    private static final long START_MS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final String CLUSTER = "MkU3OEVBNTcwNTJENDM2Qg";
    private static final String TOPIC_ID = "xS2pZ3pXQ7eHbd6gFK6TSA";
    private static final long MIB = 1024 * 1024;

    /** The keys that change request counts. */
    record Settings(String name, int segmentBytes, long segmentMs, long uploadDelayMs, long localRetentionMs,
                    long partSizeBytes, long manifestMaxDelayMs) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: segment.bytes=%d, segment.ms=%d, tier.upload.delay.ms=%d, "
                    + "local.retention.ms=%d, s3.part.size.bytes=%d, tier.manifest.max.delay.ms=%d", name, segmentBytes,
                    segmentMs, uploadDelayMs, localRetentionMs, partSizeBytes, manifestMaxDelayMs);
        }
    }

    static final Settings TODAY = new Settings("today's defaults", 256 * (int) MIB, 600_000L, 0L, 3_600_000L,
            8 * MIB, LocalTierConfig.TIER_MANIFEST_MAX_DELAY_MS_DEFAULT);
    static final Settings RECOMMENDED = new Settings("recommended at 100,000 partitions", 256 * (int) MIB,
            3_600_000L, 0L, 3_600_000L, 64 * MIB, 4 * 3_600_000L);

    @Test
    void aDayOf100kPartitionsAt1GBPerSecond() throws Exception {
        Level level = LogManager.getLogger("io.tieredarchive").getLevel();
        Configurator.setLevel("io.tieredarchive", Level.WARN); // a line per segment would cost more than the work
        try {
            simulate();
        } finally {
            Configurator.setLevel("io.tieredarchive", level);
        }
    }

    private void simulate() throws Exception {
        double exponent = Double.parseDouble(System.getProperty("scaling.exponent", "1.8"));
        SyntheticWorkload workload = new SyntheticWorkload(PARTITIONS, BYTES_PER_SEC, exponent, 20e6, RECORD_BYTES);
        List<SyntheticWorkload.SampledPartition> sample = workload.sample(
                Integer.getInteger("scaling.top", 10), Integer.getInteger("scaling.strata", 290));
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "Workload: %,d partitions, %.0f MB/s of %d-byte records, capped "
                        + "Zipf s=%.2f (at most 20 MB/s a partition); busiest %.0f records/s, median %.3f records/min,"
                        + " %,d partitions under one record per 10 min; %d sampled partitions%n%n", PARTITIONS,
                BYTES_PER_SEC / 1e6, RECORD_BYTES, exponent, workload.recordsPerSec(1),
                workload.recordsPerSec(PARTITIONS / 2) * 60, workload.partitionsBelow(1, 600), sample.size()));
        for (Settings settings : List.of(TODAY, RECOMMENDED)) {
            long began = System.nanoTime();
            RequestTally tally = run(settings, sample);
            report.append(tally.table(settings.toString(), PARTITIONS, BYTES_PER_SEC * 86_400 / 1e9));
            report.append(String.format(Locale.ROOT, "- simulated in %.0f s%n%n", (System.nanoTime() - began) / 1e9));
        }
        System.out.println(report);
        Path out = Path.of("target", "scaling-simulation.md");
        Files.writeString(out, report.toString(), StandardCharsets.UTF_8);
        assertTrue(report.length() > 0);
    }

    private RequestTally run(Settings settings, List<SyntheticWorkload.SampledPartition> sample) throws Exception {
        CountingMemoryBackend backend = new CountingMemoryBackend(settings.partSizeBytes());
        RequestTally tally = new RequestTally();
        Path root = Files.createTempDirectory(Path.of(System.getProperty("scaling.dir", "/dev/shm")), "scaling-sim");
        try {
            for (int i = 0; i < sample.size(); i++) {
                long[] before = backend.requests();
                long sealed = runPartition(settings, sample.get(i), i, backend, root.resolve("p" + i));
                long[] after = backend.requests();
                for (int k = 0; k < after.length; k++) {
                    after[k] -= before[k];
                }
                tally.add(after, sealed, backend.objectSizes(), sample.get(i).weight());
                backend.clearObjects();
            }
        } finally {
            deleteTree(root);
        }
        return tally;
    }

    /** One partition's day; returns the segments it sealed. */
    private long runPartition(Settings settings, SyntheticWorkload.SampledPartition p, int index,
                              CountingMemoryBackend backend, Path localDir) throws Exception {
        long scale = 1;
        while (p.recordsPerSec() / (2 * scale) >= 2) {
            scale *= 2;
        }
        backend.byteScale(scale);
        double rate = p.recordsPerSec() / scale;
        long[] now = {START_MS};
        RemoteSegmentStore store = new RemoteSegmentStore(backend, "archive", () -> now[0]);
        TieringService service = new TieringService(new TieringSettings(localDir, settings.uploadDelayMs(),
                settings.localRetentionMs(), -1, TieringSettings.DEFAULT_SCAN_INTERVAL_MS,
                TieringSettings.DEFAULT_UPLOAD_THREADS, TieringSettings.DEFAULT_MIN_BACKOFF_MS,
                TieringSettings.DEFAULT_MAX_BACKOFF_MS, settings.manifestMaxDelayMs()), () -> now[0]);
        try {
            service.attach("simulation", store, false);
            ArchivePartition archive = new ArchivePartition("events", Incarnation.of(CLUSTER, TOPIC_ID), index);
            service.archivedEnd(store.destination(), archive); // the sink opening the partition
            TreeSet<Long> passes = new TreeSet<>();
            long[] sealed = {0};
            int segmentBytes = (int) (settings.segmentBytes() / scale);
            SegmentWriterOptions options = new SegmentWriterOptions("none", null, (int) Math.min(MIB, segmentBytes),
                    "sim-task-0", new SegmentOrigin(CLUSTER, TOPIC_ID, -1, store.destination()));
            PartitionArchive partition = new PartitionArchive(new TopicPartition("events", index), archive,
                    localDir.resolve("events-" + index), -1, -1, options, segmentBytes, settings.segmentMs(),
                    (pa, files, meta, recordBytes) -> {
                        sealed[0]++;
                        service.segmentSealed(files, meta);
                        passes.add(passTime(meta.sealedAtMs() + settings.uploadDelayMs(), settings.uploadDelayMs()));
                        passes.add(passTime(meta.sealedAtMs() + settings.localRetentionMs(), 1));
                    }, LocalTier::fsyncDirectory);
            replayDay(partition, service, passes, rate, new Random(index), now);
            return sealed[0];
        } finally {
            service.close();
            deleteTree(localDir);
        }
    }

    /**
     * A pass for a segment due at {@code dueMs}: at once when the upload is not delayed (the seal wakes the service
     * up), else the first of the service's once-a-second passes at or after it.
     */
    private static long passTime(long dueMs, long delayMs) {
        return delayMs == 0 ? dueMs : (dueMs + 999) / 1000 * 1000;
    }

    /** Records arriving as a Poisson process, segments sealed on age, passes run when something is due. */
    private static void replayDay(PartitionArchive partition, TieringService service, TreeSet<Long> passes,
                                  double rate, Random random, long[] now) throws SegmentException {
        byte[] value = new byte[(int) Math.round(RECORD_BYTES / COMPRESSION_RATIO)];
        random.nextBytes(value); // incompressible: the records as zstd left them, stored with codec none
        long end = START_MS + DAY_MS;
        long offset = 0;
        long nextRecord = START_MS + gapMs(rate, random);
        while (true) {
            long deadline = partition.ageDeadlineMs();
            long pass = passes.isEmpty() ? Long.MAX_VALUE : passes.first();
            long next = Math.min(nextRecord, Math.min(deadline, pass));
            if (next >= end) {
                return;
            }
            now[0] = next;
            if (next == deadline) {
                partition.sealIfExpired(next);
            } else if (next == pass) {
                passes.pollFirst();
                service.runPass();
            } else {
                partition.admit(offset, false);
                partition.append(new ArchivedRecord(offset, next, TimestampType.CREATE_TIME, null, value), next);
                offset++;
                nextRecord = next + gapMs(rate, random);
            }
        }
    }

    private static long gapMs(double ratePerSec, Random random) {
        return Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) / ratePerSec * 1000));
    }

    /** File handles a partition with an active segment holds open, read from /proc/self/fd. */
    @Test
    void fileHandlesPerActivePartition() throws Exception {
        Path root = Files.createTempDirectory(Path.of(System.getProperty("scaling.dir", "/dev/shm")), "scaling-fd");
        List<PartitionArchive> open = new ArrayList<>();
        try {
            long before = openFiles();
            long heapBefore = liveHeap();
            int n = 200;
            SegmentWriterOptions options = new SegmentWriterOptions("zstd", null, (int) MIB, "sim-task-0",
                    new SegmentOrigin(CLUSTER, TOPIC_ID, -1, "mem://x/"));
            for (int i = 0; i < n; i++) {
                PartitionArchive pa = new PartitionArchive(new TopicPartition("events", i),
                        new ArchivePartition("events", Incarnation.of(CLUSTER, TOPIC_ID), i),
                        root.resolve("events-" + i), -1, -1, options, 256 * (int) MIB, 600_000L,
                        (a, f, m, b) -> { }, LocalTier::fsyncDirectory);
                pa.admit(0, false);
                pa.append(new ArchivedRecord(0, START_MS, TimestampType.CREATE_TIME, null, new byte[1024]), START_MS);
                pa.flushBuffer();
                open.add(pa);
            }
            long after = openFiles();
            long heapAfter = liveHeap();
            System.out.printf(Locale.ROOT, "File handles: %d partitions with an active segment (one 1 KiB record "
                    + "written, zstd) hold %d more open files (%.2f each) and %d more bytes of live heap (%.0f "
                    + "each)%n", n, after - before, (after - before) / (double) n, heapAfter - heapBefore,
                    (heapAfter - heapBefore) / (double) n);
            assertTrue(after >= before);
        } finally {
            for (PartitionArchive pa : open) {
                pa.abort(-1);
            }
            deleteTree(root);
        }
    }

    /** Heap in use after a full collection (indicative: System.gc() is a request). */
    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
