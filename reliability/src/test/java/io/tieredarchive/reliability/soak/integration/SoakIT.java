package io.tieredarchive.reliability.soak.integration;

import io.tieredarchive.reliability.faults.integration.SinkFixture;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import static io.tieredarchive.sink.integration.ArchiveFixture.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Soak (profile {@code soak}, not in CI): 200 partitions archived and tiered at the sink's full speed for
 * {@code soak.minutes} (10 by default). The producer keeps the sink's lag near {@link #MAX_LAG} records, so the sink
 * is never idle and the disks do not fill. The Connect worker runs in this JVM; every ~10 s the test samples its
 * heap used after a full GC and its open file descriptors ({@code /proc/self/fd}), writes them to
 * {@code target/soak-samples.csv}, and at the end asserts both flat: the last third's median is not above the first
 * third's by more than a margin (heap: 25% + 64 MiB; descriptors: 10% + 64). Then everything produced must be
 * committed, which with commit.mode=remote means it is in S3.
 */
class SoakIT {

    static final String TOPIC = "soak";
    static final int PARTITIONS = 200;
    static final long MAX_LAG = 400_000;
    static final long SAMPLE_MS = 10_000;
    /** The longest the sink may go without committing anything while it drains its lag at the end. */
    static final Duration STALL = Duration.ofMinutes(3);

    @TempDir
    static Path tmp;
    static EmbeddedConnectCluster connect;
    static S3ProxyServer s3;
    static Admin admin;

    record Sample(long elapsedS, long heapUsedMb, long openFds, long produced, long committed) {
        String csv() {
            return elapsedS + "," + heapUsedMb + "," + openFds + "," + produced + "," + committed;
        }
    }

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.startIn(tmp);
        S3TestConnections.create(s3, BUCKET);
        connect = InProcessConnect.named("soak-it").start();
        admin = connect.kafka().createAdminClient();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(admin, Closing.stopping(connect), s3);
    }

    @Test
    void twoHundredPartitionsAtFullSpeedKeepHeapAndFileHandlesFlat() throws Exception {
        long minutes = Long.getLong("soak.minutes", 10);
        connect.kafka().createTopic(TOPIC, PARTITIONS, 1, Map.of("segment.bytes", Integer.toString(16 << 20),
                "retention.bytes", Integer.toString(32 << 20)));
        Map<String, String> config = SinkFixture.sinkConfig(connect.kafka().bootstrapServers(), tmp.resolve("local"),
                TOPIC, 2, s3.endpoint(), s3.accessKey(), s3.secretKey());
        config.put("segment.bytes", Integer.toString(1 << 20));
        config.put("segment.ms", "10000");
        config.put("local.retention.ms", "0");
        connect.configureConnector(TOPIC, config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(TOPIC, 2, "sink did not start");

        AtomicLong produced = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        List<Sample> samples = new ArrayList<>();
        Thread producer = startProducer(produced, committed);
        long startedAt = System.nanoTime();
        long end = startedAt + TimeUnit.MINUTES.toNanos(minutes);
        long nextSample = startedAt;
        try {
            while (System.nanoTime() < end) {
                committed.set(committedSum());
                if (System.nanoTime() >= nextSample) {
                    samples.add(sample(startedAt, produced.get(), committed.get()));
                    System.out.println("SAMPLE " + samples.get(samples.size() - 1));
                    nextSample += TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS);
                    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(TOPIC, 2, "a task failed");
                }
                Thread.sleep(1_000);
            }
        } finally {
            producer.interrupt();
            producer.join(30_000);
            writeCsv(samples);
        }
        long total = endOffsetSum(); // what reached the topic: an interrupted chunk is partly there
        awaitCommitted(total);
        assertEquals(total, committedSum(), "committed offsets = the topic's end offsets");
        report(samples, total, TimeUnit.NANOSECONDS.toSeconds(end - startedAt));
        assertFlat(samples, "heap used after GC (MiB)", Sample::heapUsedMb, 0.25, 64);
        assertFlat(samples, "open file descriptors", Sample::openFds, 0.10, 64);
    }

    /** Produces to every partition in turn as fast as it can while the sink's lag is under {@link #MAX_LAG}. */
    private static Thread startProducer(AtomicLong produced, AtomicLong committed) {
        Thread thread = new Thread(() -> {
            Random random = new Random(51);
            int[] next = new int[PARTITIONS];
            try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of("linger.ms", 20,
                    "batch.size", 256 * 1024, "acks", "1", "compression.type", "lz4"))) {
                while (!Thread.currentThread().isInterrupted()) {
                    if (produced.get() - committed.get() > MAX_LAG) {
                        Thread.sleep(100);
                        continue;
                    }
                    for (int n = 0; n < 20_000; n++) {
                        int p = n % PARTITIONS;
                        ProducerRecord<byte[], byte[]> r = SinkFixture.record(TOPIC, p, next[p]++, random);
                        producer.send(r);
                    }
                    producer.flush();
                    produced.addAndGet(20_000);
                }
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                // the soak is over
            }
        }, "soak-producer");
        thread.start();
        return thread;
    }

    private static long committedSum() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("connect-" + TOPIC)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    /**
     * Waits until {@code total} records are committed (with commit.mode=remote: in S3), for as long as the sink
     * makes progress: a loaded machine drains the last lag slowly, a stuck sink does not drain it at all.
     */
    private static void awaitCommitted(long total) throws Exception {
        long seen = committedSum();
        long progressAt = System.nanoTime();
        while (seen < total) {
            if (System.nanoTime() - progressAt > STALL.toNanos()) {
                fail("no commit for " + STALL + ": " + seen + " of " + total + " records committed");
            }
            Thread.sleep(1_000);
            long now = committedSum();
            if (now > seen) {
                seen = now;
                progressAt = System.nanoTime();
            }
        }
    }

    private static long endOffsetSum() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    private static Sample sample(long startedAt, long produced, long committed) throws IOException {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        return new Sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt), heap, fds, produced,
                committed);
    }

    private static void writeCsv(List<Sample> samples) throws IOException {
        List<String> lines = new ArrayList<>(List.of("elapsed_s,heap_used_after_gc_mib,open_fds,produced,committed"));
        samples.forEach(s -> lines.add(s.csv()));
        Path csv = Path.of(System.getProperty("soak.csv", "target/soak-samples.csv"));
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.write(csv, lines);
        System.out.println("Soak samples: " + csv.toAbsolutePath());
    }

    /**
     * The last third's median is at most the first third's plus {@code fraction} of it plus {@code slack}; medians,
     * so that one sample caught in the middle of a burst (a heap before its GC finished) does not decide.
     */
    private static void assertFlat(List<Sample> samples, String what, ToLongFunction<Sample> f, double fraction,
                                   long slack) {
        assertTrue(samples.size() >= 6, "too few samples: " + samples.size());
        int third = samples.size() / 3;
        List<Sample> firstThird = samples.subList(0, third);
        List<Sample> lastThird = samples.subList(samples.size() - third, samples.size());
        long first = median(firstThird, f);
        long last = median(lastThird, f);
        long bound = first + Math.round(first * fraction) + slack;
        System.out.printf("FIGURE soak %s: median first third %d, last third %d (bound %d); max first third %d, "
                + "last third %d%n", what, first, last, bound, firstThird.stream().mapToLong(f).max().orElseThrow(),
                lastThird.stream().mapToLong(f).max().orElseThrow());
        assertTrue(last <= bound, what + " grew: median of the first third " + first + ", of the last " + last);
    }

    private static long median(List<Sample> samples, ToLongFunction<Sample> f) {
        long[] values = samples.stream().mapToLong(f).sorted().toArray();
        return values[values.length / 2];
    }

    private static void report(List<Sample> samples, long total, long seconds) {
        System.out.printf("FIGURE soak: %d partitions, %d s, %d records archived and committed (%.0f records/s), "
                        + "%d samples, heap after GC %d..%d MiB, fds %d..%d%n", PARTITIONS, seconds, total,
                total / (double) Math.max(1, seconds), samples.size(),
                samples.stream().mapToLong(Sample::heapUsedMb).min().orElse(0),
                samples.stream().mapToLong(Sample::heapUsedMb).max().orElse(0),
                samples.stream().mapToLong(Sample::openFds).min().orElse(0),
                samples.stream().mapToLong(Sample::openFds).max().orElse(0));
    }
}
