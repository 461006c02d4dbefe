package io.tieredarchive.reliability.disk.integration;

import io.tieredarchive.cli.TieredArchiveCli;
import io.tieredarchive.reliability.disk.SmallDisk;
import io.tieredarchive.reliability.faults.integration.SinkFixture;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.sink.integration.ArchiveWatch;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.tieredarchive.reliability.faults.integration.SinkFixture.await;
import static io.tieredarchive.sink.integration.ArchiveFixture.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink's local.dir on a small tmpfs (32 MiB, mounted by the test: this needs root, as on this machine and in
 * CI; elsewhere the test is skipped and says why). While records arrive, a filler file takes every free byte and
 * keeps topping up. docs/troubleshooting.md ("local.dir full"): each write failure deletes the partition's active
 * segment, rewinds the consumer, logs the cause and retries with backoff, the task staying RUNNING; nothing
 * half-written is kept, nothing is committed that S3 does not hold. Once the filler is deleted the sink resumes
 * on its own, and the archive is complete, contiguous, without a duplicate, every segment valid.
 */
class DiskFullIT {

    static final String TOPIC = "full";

    @TempDir
    static Path tmp;
    static Path mount;
    static boolean mounted;
    static EmbeddedConnectCluster connect;
    static S3ProxyServer s3;
    static RemoteSegmentStore store;
    static CapturedLogs logs;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        mount = Files.createDirectories(tmp.resolve("small-disk"));
        String result = SmallDisk.mount(mount, "32m");
        if (result != null) {
            System.out.println("SKIPPED DiskFullIT: cannot mount a tmpfs (" + result + "); it needs root");
        }
        Assumptions.assumeTrue(result == null, "cannot mount a tmpfs: " + result);
        mounted = true;
        logs = new CapturedLogs();
        s3 = S3ProxyServer.startIn(tmp);
        store = RemoteSegmentStore.create(S3TestConnections.create(s3, BUCKET));
        connect = InProcessConnect.named("disk-full-it").start();
        admin = connect.kafka().createAdminClient();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(admin, Closing.stopping(connect), store, s3, logs);
        if (mounted) {
            SmallDisk.unmount(mount);
        }
    }

    @Test
    void aFullLocalDirStopsTheSinkCleanlyAndItResumesWhenSpaceReturns() throws Exception {
        Path localDir = mount.resolve("local");
        Path filler = mount.resolve("filler");
        KafkaTopics.create(connect.kafka(), TOPIC, 2, Map.of());
        Map<String, String> config = SinkFixture.sinkConfig(connect.kafka().bootstrapServers(), localDir, TOPIC, 1,
                s3.endpoint(), s3.accessKey(), s3.secretKey());
        connect.configureConnector(TOPIC, config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(TOPIC, 1, "sink did not start");

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed;
        long fullForMs;
        try (ArchiveWatch watch = new ArchiveWatch(admin, TOPIC, localDir, s3.bucketDir(BUCKET), TOPIC, true);
             var producer = new ArchiveFixture.BackgroundProducer(connect.kafka(), TOPIC, 2, 20_000,
                     Duration.ofSeconds(40), 41, 200, SinkFixture::record)) {
            await(() -> ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), TOPIC).size() == 2, Duration.ofSeconds(60),
                    "segments sealed and tiered");
            long fullAt = System.nanoTime();
            fillAndHold(localDir, filler);
            fullForMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fullAt);
            long freedAt = System.nanoTime();
            Map<Integer, Long> archivedAtFree = archivedEnds(localDir);
            await(() -> !archivedEnds(localDir).equals(archivedAtFree), Duration.ofSeconds(60),
                    "archiving resumes after the filler is deleted");
            long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt);

            producer.await(Duration.ofSeconds(120));
            consumed = ArchiveFixture.consumeAll(connect.kafka(), TOPIC);
            SinkFixture.awaitInS3(s3.bucketDir(BUCKET), TOPIC, ArchiveFixture.lastOffsets(consumed),
                    Duration.ofSeconds(120));
            SinkFixture.awaitCommitted(admin, TOPIC, TOPIC, ArchiveFixture.lastOffsets(consumed),
                    Duration.ofSeconds(60));
            watch.assertHeld();
            List<String> failures = logs.text().lines().filter(l -> l.contains("write failed")).toList();
            assertTrue(failures.stream().anyMatch(l -> l.contains(localDir.toString())
                    && l.contains("No space left on device")), "the WARN names the file under local.dir and the "
                    + "cause: " + failures.stream().limit(3).toList());
            System.out.printf("FIGURE disk: local.dir full for %d ms, %d write failures logged, archiving resumed "
                            + "%d ms after space returned; %d records archived%n", fullForMs, failures.size(),
                    resumedMs, consumed.values().stream().mapToInt(List::size).sum());
        }
        assertSegmentsValid(localDir);
        SinkFixture.assertS3HoldsExactlyOnce(store, s3.bucketDir(BUCKET), TOPIC, consumed);
        assertVerifyPasses();
        connect.deleteConnector(TOPIC);
    }

    /**
     * Fills the disk until a write fails for lack of space, then for 8 s: the task stays RUNNING (it retries), the
     * archive does not grow, and every sealed local segment is valid. Deletes the filler at the end.
     */
    private static void fillAndHold(Path localDir, Path filler) throws Exception {
        try (SmallDisk.Filler fill = new SmallDisk.Filler(filler)) {
            await(() -> logs.text().contains("No space left on device"), Duration.ofSeconds(30),
                    "a write failure for lack of space");
            Thread.sleep(3_000); // the failures in flight settle
            Map<Integer, Long> archivedAtFull = archivedEnds(localDir);
            for (int i = 0; i < 8; i++) {
                assertEquals("RUNNING", connect.connectorStatus(TOPIC).tasks().get(0).state(),
                        "the task retries (docs/troubleshooting.md, local.dir full)");
                assertSegmentsValid(localDir);
                Thread.sleep(1_000);
            }
            assertEquals(archivedAtFull, archivedEnds(localDir), "no record taken while the disk is full");
            assertTrue(fill.bytes() > 0, "the filler took the space");
        }
    }

    /** Per partition, the end of what is archived: local sealed segments or S3, whichever is further. */
    private static Map<Integer, Long> archivedEnds(Path localDir) throws Exception {
        Map<Integer, Long> ends = new TreeMap<>(ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), TOPIC));
        for (int p = 0; p < 2; p++) {
            for (SegmentFiles files : sealed(localDir.resolve(TOPIC + "-" + p))) {
                ends.merge(p, SegmentMetadata.read(files.marker()).nextOffset(), Math::max);
            }
        }
        return ends;
    }

    /** Every sealed local segment opens (indexes checked against the marker) and reads fully, CRCs checked. */
    private static void assertSegmentsValid(Path localDir) throws Exception {
        for (int p = 0; p < 2; p++) {
            for (SegmentFiles files : sealed(localDir.resolve(TOPIC + "-" + p))) {
                if (!Files.exists(files.log())) {
                    continue; // freed by retention after tiering
                }
                try (SegmentReader reader = SegmentReader.open(files)) {
                    long n = 0;
                    for (Iterator<ArchivedRecord> it = reader.recordsFrom(files.baseOffset()); it.hasNext(); it.next()) {
                        n++;
                    }
                    assertEquals(reader.metadata().recordCount(), n, files + ": records");
                }
            }
        }
    }

    private static List<SegmentFiles> sealed(Path dir) {
        return SegmentFiles.list(dir).stream().filter(SegmentFiles::isSealed).toList();
    }

    private static void assertVerifyPasses() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TieredArchiveCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "verify", TOPIC,
                "--set", "s3.bucket=" + BUCKET, "--set", "s3.endpoint=" + s3.endpoint(),
                "--set", "s3.path.style.access=true", "--set", "s3.region=us-east-1",
                "--set", "s3.access.key.id=" + s3.accessKey(), "--set", "s3.secret.access.key=" + s3.secretKey());
        assertEquals(0, code, "tiered-archive verify: " + out + err);
    }
}
