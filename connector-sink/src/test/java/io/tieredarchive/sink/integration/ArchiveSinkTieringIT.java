package io.tieredarchive.sink.integration;

import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.cli.TieredArchiveCli;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.sink.ArchiveContents;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.read.ArchiveCursor;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.TieringServices;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.tieredarchive.sink.integration.ArchiveFixture.BUCKET;
import static io.tieredarchive.sink.integration.ArchiveFixture.connectorConfig;
import static io.tieredarchive.sink.integration.ArchiveFixture.consumeAll;
import static io.tieredarchive.sink.integration.ArchiveFixture.lastOffsets;
import static io.tieredarchive.sink.integration.ArchiveFixture.partitionDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The life of a segment end to end: the sink on a real broker and Connect worker ({@link EmbeddedConnectCluster})
 * tiers to a real S3 server ({@link S3ProxyServer}). An {@link ArchiveWatch} checks, all through each run, that no
 * committed offset passes what S3 holds ({@code commit.mode=remote}) and that no local segment is deleted before
 * its marker is in S3. What S3 holds is read back through {@link ArchiveReader} (from S3 only: the local copies
 * are gone by then) and compared with what a consumer reads, and {@code tiered-archive verify} runs on it.
 * Everything logged meanwhile is captured, and must never hold the S3 secret key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveSinkTieringIT {

    static EmbeddedConnectCluster connect;
    static S3ProxyServer s3;
    static RemoteSegmentStore store;
    static CapturedLogs logs;
    static Admin admin;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws IOException {
        logs = new CapturedLogs();
        s3 = ArchiveFixture.startS3(tmp);
        store = RemoteSegmentStore.create(S3TestConnections.create(s3, BUCKET));
        // A FileConfigProvider, so that a connector config can name the secret instead of holding it.
        connect = InProcessConnect.named("archive-tiering-it").workerProps(Map.of("config.providers", "file",
                "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider")).start();
        admin = connect.kafka().createAdminClient();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(admin, Closing.stopping(connect), store, s3, logs);
    }

    /**
     * commit.mode=remote, 4 partitions, local copies freed by age (local.retention.ms=2000). The secret key comes
     * from a file through Connect's FileConfigProvider: the REST API shows the placeholder, not the key.
     */
    @Test
    @Order(1)
    void fourPartitionsReachS3CommitsNeverPassS3AndLocalCopiesAgeOut() throws Exception {
        String topic = "tiered";
        KafkaTopics.create(connect.kafka(), topic, 4, Map.of());
        Path localDir = tmp.resolve("tiered");
        Path secrets = Files.writeString(tmp.resolve("s3-secret.properties"), "secret=" + s3.secretKey() + "\n");
        startSink(topic, localDir, 2, Map.of("local.retention.ms", "2000",
                "s3.secret.access.key", "${file:" + secrets + ":secret}"));
        assertFalse(connect.connectorInfo(topic).config().toString().contains(s3.secretKey()),
                "GET /connectors/" + topic + " shows the placeholder, not the key");

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed;
        long started = System.currentTimeMillis();
        try (ArchiveWatch watch = new ArchiveWatch(admin, topic, localDir, s3.bucketDir(BUCKET), topic, true)) {
            ArchiveFixture.produce(connect.kafka(), topic, 4, 20_000, 21);
            consumed = consumeAll(connect.kafka(), topic);
            awaitInS3(topic, lastOffsets(consumed), Duration.ofSeconds(120));
            // A segment counts for commits once its marker is proven in S3 (its manifest registration may come
            // later); a transient store error there waits for the tier's next attempt, at most 60 s (TieringSettings).
            awaitCommitted(topic, lastOffsets(consumed), Duration.ofSeconds(120));
            await(() -> localSealedBytes(localDir, topic, 4) == 0, Duration.ofSeconds(60),
                    "local copies freed by age");
            watch.assertHeld();
            assertTrue(watch.commitsChecked() > 10, "the watch saw commits: " + watch.commitsChecked());
            assertTrue(watch.deletedLocal().size() >= 4, "segments were freed: " + watch.deletedLocal());
        }
        assertS3Matches(topic, consumed);
        assertVerifyPasses(topic);
        // The tiering counters as an operator reads them: the tasks' plugin metrics over JMX.
        int inS3 = ArchiveWatch.remoteMarkers(s3.bucketDir(BUCKET), topic).values().stream()
                .mapToInt(List::size).sum();
        for (int task = 0; task < 2; task++) {
            ObjectName name = new ObjectName("kafka.connect:type=plugins,connector=" + topic + ",task=" + task);
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            assertEquals(0, ((Number) jmx.getAttribute(name, "tier-pending-segments")).intValue());
            int uploaded = ((Number) jmx.getAttribute(name, "tier-uploaded-segments-total")).intValue();
            assertTrue(uploaded >= inS3, "task " + task + " shows the uploads of the local.dir's tiering service: "
                    + uploaded + " for " + inS3 + " segments in S3");
            assertTrue(((Number) jmx.getAttribute(name, "tier-deleted-segments-total")).intValue() >= 4);
        }
        report(topic, started);
        connect.deleteConnector(topic);
    }

    /** local.retention.bytes: the oldest tiered copies go first, until the sealed ones fit; never unverified. */
    @Test
    @Order(2)
    void localCopiesAreFreedBySizeOldestFirst() throws Exception {
        String topic = "sized";
        KafkaTopics.create(connect.kafka(), topic, 1, Map.of());
        Path localDir = tmp.resolve("sized");
        long cap = 300_000;
        startSink(topic, localDir, 1, Map.of("segment.bytes", Integer.toString(128 * 1024),
                "local.retention.ms", "-1", "local.retention.bytes", Long.toString(cap)));
        assertEquals(s3.secretKey(), connect.connectorInfo(topic).config().get("s3.secret.access.key"),
                "Connect's REST API returns a posted secret as it is: docs/sink.md recommends a config provider");

        try (ArchiveWatch watch = new ArchiveWatch(admin, topic, localDir, s3.bucketDir(BUCKET), topic, true)) {
            ArchiveFixture.produce(connect.kafka(), topic, 1, 30_000, 22);
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = consumeAll(connect.kafka(), topic);
            awaitInS3(topic, lastOffsets(consumed), Duration.ofSeconds(120));
            await(() -> localSealedBytes(localDir, topic, 1) <= cap, Duration.ofSeconds(30), "under the cap");
            watch.assertHeld();
            List<Long> kept = bases(localDir, topic);
            List<Long> deleted = watch.deletedLocal().stream().map(s -> Long.parseLong(s.split("/")[1])).sorted()
                    .toList();
            assertFalse(deleted.isEmpty(), "the cap freed segments");
            assertFalse(kept.isEmpty(), "the newest segments stay");
            assertTrue(deleted.get(deleted.size() - 1) < kept.get(0), "oldest first: deleted " + deleted
                    + ", kept " + kept);
            long total = ArchiveWatch.remoteMarkers(s3.bucketDir(BUCKET), topic).get(0).stream()
                    .mapToLong(m -> m.log().size() + m.offsetIndex().size() + m.timeIndex().size()).sum();
            System.out.printf("FIGURE %s: %d of %d bytes freed locally by local.retention.bytes=%d%n", topic,
                    total - localSealedBytes(localDir, topic, 1), total, cap);
            assertS3Matches(topic, consumed);
        }
        connect.deleteConnector(topic);
    }

    /**
     * commit.mode=local: a partition's segments, committed locally and not yet uploaded (upload delay 12 s), reach
     * S3 after the partition moved. Connect in-process shares one JVM between its workers, and one tiering service
     * runs per local.dir per JVM, so "another worker with its own disk" is played by deleting the connector (its
     * task stops and releases the service of disk A, which must keep going until everything is uploaded) and
     * creating it again, same name and so same consumer group and committed offsets, on disk B.
     */
    @Test
    @Order(3)
    void aSegmentCommittedLocallyReachesS3AfterItsPartitionMoved() throws Exception {
        String topic = "moved";
        KafkaTopics.create(connect.kafka(), topic, 1, Map.of());
        startSink(topic, tmp.resolve("disk-a"), 1, Map.of("commit.mode", "local", "tier.upload.delay.ms", "12000"));
        ArchiveFixture.produce(connect.kafka(), topic, 1, 5_000, 23);
        awaitCommitted(topic, Map.of(0, 4_999L), Duration.ofSeconds(60));
        assertTrue(ArchiveWatch.remoteMarkers(s3.bucketDir(BUCKET), topic).isEmpty(),
                "committed locally, not yet uploaded");
        connect.deleteConnector(topic);

        startSink(topic, tmp.resolve("disk-b"), 1, Map.of("commit.mode", "local"));
        ArchiveFixture.produce(connect.kafka(), topic, 1, 2_000, 24);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = consumeAll(connect.kafka(), topic);
        awaitInS3(topic, lastOffsets(consumed), Duration.ofSeconds(90));
        assertEquals(5_000L, ArchiveContents.offsets(partitionDir(tmp.resolve("disk-b"), topic, 0)).get(0),
                "disk B archived only what came after the commit");
        assertS3Matches(topic, consumed);
        connect.deleteConnector(topic);
    }

    /**
     * S3 stopped for 30 s (the issue's figure) while records arrive and segments are sealed: the task stays
     * RUNNING, nothing is deleted locally (local.retention.ms=1000 wants to), no commit passes what S3 held, and
     * once S3 is back the uploads resume and everything arrives.
     */
    @Test
    @Order(4)
    void s3StoppedDuringUploadsLosesNothingAndUploadsResume() throws Exception {
        String topic = "outage";
        KafkaTopics.create(connect.kafka(), topic, 2, Map.of());
        Path localDir = tmp.resolve("outage");
        startSink(topic, localDir, 1, Map.of("local.retention.ms", "1000"));

        try (ArchiveWatch watch = new ArchiveWatch(admin, topic, localDir, s3.bucketDir(BUCKET), topic, true);
             var producer = new ArchiveFixture.BackgroundProducer(connect.kafka(), topic, 2, 25_000,
                     Duration.ofSeconds(45), 25)) {
            await(() -> ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic).size() == 2, Duration.ofSeconds(60),
                    "uploads under way");
            s3.stop();
            long stoppedAt = System.nanoTime();
            Map<Integer, Long> endAtStop = ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic);
            while (System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(30)) {
                assertEquals("RUNNING", connect.connectorStatus(topic).tasks().get(0).state());
                Thread.sleep(1_000);
            }
            assertTrue(localSealedBytes(localDir, topic, 2) > 0, "segments sealed during the outage wait locally");
            assertEquals(endAtStop, ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic));
            s3.start();
            long restartedAt = System.nanoTime();

            producer.await(Duration.ofSeconds(120));
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = consumeAll(connect.kafka(), topic);
            awaitInS3(topic, lastOffsets(consumed), Duration.ofSeconds(150));
            System.out.printf("FIGURE %s: everything in S3 %d s after S3 came back%n", topic,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restartedAt));
            awaitCommitted(topic, lastOffsets(consumed), Duration.ofSeconds(120));
            assertEquals("RUNNING", connect.connectorStatus(topic).tasks().get(0).state());
            watch.assertHeld();
            assertS3Matches(topic, consumed);
        }
        connect.deleteConnector(topic);
    }

    /**
     * A partition reopened after its whole archive reached S3 commits to the end. Its new owner skips the records
     * the archive holds and seeks past them; Connect records that seek as committed without committing it, so the
     * task's commit of the same offset must still reach Kafka ({@code ArchiveSinkTask.COMMIT_METADATA}). Made
     * certain, not left to timing: the first task archives the second half locally while S3 is down, so its commits
     * stop at the first half; it is deleted; S3 comes back and the released tiering service uploads the rest; then
     * the connector is created again under the same name, so the same group and committed offset.
     */
    @Test
    @Order(5)
    void aPartitionReopenedAfterItsArchiveReachedS3CommitsToTheEnd() throws Exception {
        String topic = "reopened";
        KafkaTopics.create(connect.kafka(), topic, 1, Map.of());
        Path localDir = tmp.resolve("reopened");
        Map<String, String> overrides = Map.of("s3.retry.max.attempts", "2");
        startSink(topic, localDir, 1, overrides);
        ArchiveFixture.produce(connect.kafka(), topic, 1, 1_000, 26);
        awaitCommitted(topic, Map.of(0, 999L), Duration.ofSeconds(60)); // opened, archived, in S3, committed
        s3.stop();
        try {
            ArchiveFixture.produce(connect.kafka(), topic, 1, 2_000, 27);
            ArchiveFixture.awaitArchived(localDir, topic, Map.of(0, 2_999L), Duration.ofSeconds(60));
            connect.deleteConnector(topic);
        } finally {
            s3.start();
        }
        awaitInS3(topic, Map.of(0, 2_999L), Duration.ofSeconds(150));
        OffsetAndMetadata before = admin.listConsumerGroupOffsets("connect-" + topic).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
        assertTrue(before != null && before.offset() >= 1_000 && before.offset() < 3_000,
                "committed past the first half, not past what S3 held while it was down: " + before);

        startSink(topic, localDir, 1, overrides);
        awaitCommitted(topic, Map.of(0, 2_999L), Duration.ofSeconds(60));
        connect.deleteConnector(topic);
    }

    @Test
    @Order(6)
    void theSecretKeyIsInNoLogLine() {
        String captured = logs.text();
        assertTrue(captured.contains("Tiered"), "the capture works: " + captured.length() + " chars");
        assertFalse(captured.contains(s3.secretKey()), "the S3 secret key was logged");
    }

    // ---- helpers ----

    /** Starts a sink connector named after {@code topic} that archives it into {@code localDir} and S3. */
    private static void startSink(String topic, Path localDir, int tasks, Map<String, String> overrides)
            throws InterruptedException {
        Map<String, String> config = connectorConfig(connect.kafka().bootstrapServers(), localDir, topic, tasks, s3);
        config.putAll(overrides);
        connect.configureConnector(topic, config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(topic, tasks, "sink did not start");
    }

    private static void awaitInS3(String topic, Map<Integer, Long> last, Duration timeout) throws Exception {
        await(() -> {
            Map<Integer, Long> ends = ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic);
            return last.entrySet().stream().allMatch(e -> ends.getOrDefault(e.getKey(), 0L) > e.getValue());
        }, timeout, topic + " complete in S3");
    }

    private static void awaitCommitted(String topic, Map<Integer, Long> last, Duration timeout) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> seen = new java.util.concurrent.ConcurrentHashMap<>();
        await(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("connect-" + topic)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            seen.putAll(committed);
            return last.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata o = committed.get(new TopicPartition(topic, e.getKey()));
                return o != null && o.offset() > e.getValue();
            });
        }, timeout, () -> topic + " committed to the end (last offsets " + last + "); last seen committed "
                + seen + ", in S3 " + s3EndsOrError(topic) + ", tiering "
                + TieringServices.running().entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue().stats()).toList());
    }

    private static String s3EndsOrError(String topic) {
        try {
            return ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic).toString();
        } catch (IOException e) {
            return "(cannot list: " + e + ")";
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, Duration timeout, String what) throws Exception {
        await(condition, timeout, () -> what);
    }

    /** Waits for {@code condition}; on timeout fails with {@code what}, computed then (the state last seen). */
    private static void await(Condition condition, Duration timeout, Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail("not reached within " + timeout + ": " + what.get());
            }
            Thread.sleep(250);
        }
    }

    /** Reads every partition back from S3 alone and compares it with the consumer's records. */
    private static void assertS3Matches(String topic, Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed)
            throws Exception {
        try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                List<ArchivedRecord> read = new ArrayList<>();
                try (ArchiveCursor cursor = reader.fromOffset(store.catalog().resolve(topic, e.getKey(),
                        IncarnationSelection.LATEST_ONE), 0)) {
                    for (ArchivedRecord r = cursor.next(); r != null; r = cursor.next()) {
                        read.add(r);
                    }
                }
                String where = topic + "-" + e.getKey() + " from S3";
                assertEquals(e.getValue().stream().map(ConsumerRecord::offset).toList(),
                        read.stream().map(ArchivedRecord::offset).toList(), where + ": offsets");
                for (int i = 0; i < read.size(); i++) {
                    ArchiveFixture.assertSame(e.getValue().get(i), read.get(i), where);
                }
            }
        }
    }

    /** {@code tiered-archive verify TOPIC} in-process, with the connector's S3 keys: exit code 0, no secret shown. */
    private static void assertVerifyPasses(String topic) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TieredArchiveCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "verify", topic,
                "--set", "s3.bucket=" + BUCKET, "--set", "s3.endpoint=" + s3.endpoint(),
                "--set", "s3.path.style.access=true", "--set", "s3.region=us-east-1",
                "--set", "s3.access.key.id=" + s3.accessKey(), "--set", "s3.secret.access.key=" + s3.secretKey());
        assertEquals(0, code, "verify: " + out + err);
        assertTrue(out.toString().contains("OK"), out.toString());
        assertFalse((out.toString() + err).contains(s3.secretKey()), "verify printed the secret key");
    }

    private static long localSealedBytes(Path localDir, String topic, int partitions) throws IOException {
        long bytes = 0;
        for (int p = 0; p < partitions; p++) {
            for (var files : ArchiveContents.sealed(partitionDir(localDir, topic, p))) {
                for (Path f : List.of(files.log(), files.offsetIndex(), files.timeIndex())) {
                    bytes += Files.exists(f) ? Files.size(f) : 0;
                }
            }
        }
        return bytes;
    }

    private static List<Long> bases(Path localDir, String topic) {
        return ArchiveContents.sealed(partitionDir(localDir, topic, 0)).stream()
                .map(f -> f.baseOffset()).sorted().toList();
    }

    /** Prints upload figures from S3Proxy's files: bytes, throughput, and the time from seal to S3 per segment. */
    private static void report(String topic, long startedMs) throws IOException {
        List<Long> delays = new ArrayList<>();
        long bytes = 0;
        long lastMs = startedMs;
        for (Map.Entry<Integer, List<SegmentMetadata>> e
                : ArchiveWatch.remoteMarkers(s3.bucketDir(BUCKET), topic).entrySet()) {
            for (SegmentMetadata m : e.getValue()) {
                Path marker = s3.bucketDir(BUCKET).resolve(new RemoteLayout("").keys(m).marker()); // no s3.prefix
                long inS3 = Files.getLastModifiedTime(marker).toMillis();
                delays.add(inS3 - m.sealedAtMs());
                lastMs = Math.max(lastMs, inS3);
                bytes += m.log().size() + m.offsetIndex().size() + m.timeIndex().size();
            }
        }
        delays.sort(null);
        double seconds = Math.max(1, lastMs - startedMs) / 1000.0;
        System.out.printf("FIGURE %s: %d segments, %d bytes in S3, %.1f KiB/s from the first record to the last "
                        + "upload; seal to S3: median %d ms, max %d ms%n", topic, delays.size(), bytes,
                bytes / 1024.0 / seconds, delays.get(delays.size() / 2), delays.get(delays.size() - 1));
    }
}
