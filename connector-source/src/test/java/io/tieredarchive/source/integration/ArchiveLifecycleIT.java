package io.tieredarchive.source.integration;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a long-lived cluster goes through, on a real broker, a real Connect worker and S3Proxy: a topic deleted and
 * created again (with the same and with more partitions), a second Kafka cluster archiving a topic of the same
 * name to the same bucket and prefix, and a sink started over a {@code local.dir} left by another cluster or an
 * emptied bucket. Nothing is skipped or mixed: each incarnation of a topic is archived apart, in full, and replays
 * to exactly what it held; no offset is committed that the sink's own bucket does not hold.
 *
 * <p>The second cluster is a broker of its own ({@link EmbeddedKafkaCluster}, another cluster id); the worker's
 * sink reads it through {@code consumer.override.bootstrap.servers}, as a sink archiving another cluster does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(180);

    @TempDir
    static Path tempDir;
    private S3ProxyServer s3;
    private EmbeddedConnectCluster connect;
    private EmbeddedKafkaCluster other;

    @BeforeAll
    void setUp() {
        s3 = S3ProxyServer.startIn(tempDir);
        for (String bucket : List.of("lifecycle", "yesterday", "today", "emptied")) {
            S3TestConnections.create(s3, bucket);
        }
        connect = InProcessConnect.named("lifecycle-it").byteArrayConverters()
                .workerProp("connector.client.config.override.policy", "All").start();
        other = new EmbeddedKafkaCluster(1, new Properties());
        other.start();
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), Closing.stopping(other), s3);
    }

    /**
     * 10,000 records archived; the topic deleted and created again with as many partitions, 10,000 new records;
     * deleted again and created with more partitions, 10,000 more. The sink runs throughout. Every new record is
     * archived, each incarnation apart, and a replay of each equals what that incarnation held, record by record.
     */
    @Test
    void aTopicDeletedAndCreatedAgainIsArchivedInFullAsANewIncarnationEachTime() throws Exception {
        String topic = "recreated";
        List<Map<Integer, List<ConsumerRecord<byte[], byte[]>>>> held = new ArrayList<>();
        KafkaTopics.create(connect.kafka(), topic, 4, Map.of());
        connect.configureConnector("recreated-archive", sinkConfig(topic, "lifecycle", "recreated",
                tempDir.resolve("recreated-local"), connect.kafka()));
        int[] partitions = {4, 4, 6};
        RemoteSegmentStore store = store("lifecycle", "recreated");
        try {
            for (int generation = 0; generation < partitions.length; generation++) {
                if (generation > 0) {
                    recreate(connect.kafka(), topic, partitions[generation]);
                }
                ArchiveFixture.produce(connect.kafka(), topic, partitions[generation],
                        10_000 / partitions[generation], 100 + generation);
                held.add(ArchiveFixture.consumeAll(connect.kafka(), topic));
                awaitNewest(store, topic, generation + 1, count(held.get(generation)));
            }
            List<ArchiveCatalog.Entry> incarnations = store.catalog().incarnations(topic);
            assertEquals(3, incarnations.size(), "one incarnation per life of the topic");
            for (int generation = 0; generation < partitions.length; generation++) {
                Incarnation incarnation = incarnations.get(generation).incarnation();
                String target = topic + ".gen" + generation;
                replay(topic, "lifecycle", "recreated", incarnation.id(), target, partitions[generation],
                        count(held.get(generation)));
                assertSameRecords(target, held.get(generation), ReplayItSupport.readAll(connect, target,
                        partitions[generation]));
            }
        } finally {
            connect.deleteConnector("recreated-archive");
            store.close();
        }
    }

    /**
     * Two clusters with different ids archive topics of the same name to one bucket and prefix, at the same time:
     * no record of either is skipped or mixed, each cluster's archive replays exactly.
     */
    @Test
    void twoClustersArchivingTheSameTopicNameToOnePrefixStayApart() throws Exception {
        String topic = "shared";
        KafkaTopics.create(connect.kafka(), topic, 2, Map.of());
        KafkaTopics.create(other, topic, 3, Map.of());
        connect.configureConnector("shared-here", sinkConfig(topic, "lifecycle", "shared",
                tempDir.resolve("shared-here"), connect.kafka()));
        connect.configureConnector("shared-there", sinkConfig(topic, "lifecycle", "shared",
                tempDir.resolve("shared-there"), other));
        ArchiveFixture.produce(connect.kafka(), topic, 2, 3_000, 7);
        ArchiveFixture.produce(other, topic, 3, 2_000, 8);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> here = ArchiveFixture.consumeAll(connect.kafka(), topic);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> there = ArchiveFixture.consumeAll(other, topic);
        try (RemoteSegmentStore store = store("lifecycle", "shared")) {
            awaitEach(store, topic, 2, 6_000);
            String hereCluster = clusterId(connect.kafka());
            for (ArchiveCatalog.Entry e : store.catalog().incarnations(topic)) {
                boolean ours = e.incarnation().clusterId().equals(hereCluster);
                String target = topic + (ours ? ".here" : ".there");
                int count = ours ? 2 : 3;
                replay(topic, "lifecycle", "shared", e.incarnation().id(), target, count, 6_000);
                assertSameRecords(target, ours ? here : there, ReplayItSupport.readAll(connect, target, count));
            }
        } finally {
            connect.deleteConnector("shared-here");
            connect.deleteConnector("shared-there");
        }
    }

    /**
     * Yesterday a sink of this cluster archived 4,000 records to bucket 'yesterday' through a local.dir; today a
     * sink of another cluster, to bucket 'today', is given the same local.dir. Yesterday's segments say offsets
     * 0..999 of each partition are archived: they are another cluster's, and count for nothing. No offset is
     * committed that bucket 'today' does not hold, and every record of the new cluster reaches it.
     */
    @Test
    void aSinkOfAnotherClusterOverYesterdaysLocalDirArchivesEverythingAndCommitsOnlyWhatItsBucketHolds()
            throws Exception {
        String topic = "reused";
        Path localDir = tempDir.resolve("reused-local");
        KafkaTopics.create(connect.kafka(), topic, 4, Map.of());
        ArchiveFixture.produce(connect.kafka(), topic, 4, 1_000, 11);
        Map<String, String> yesterday = sinkConfig(topic, "yesterday", "", localDir, connect.kafka());
        yesterday.put("local.retention.ms", "-1");
        connect.configureConnector("reused-yesterday", yesterday);
        try (RemoteSegmentStore store = store("yesterday", "")) {
            awaitEach(store, topic, 1, 4_000);
        }
        connect.deleteConnector("reused-yesterday");

        KafkaTopics.create(other, topic, 4, Map.of());
        ArchiveFixture.produce(other, topic, 4, 1_500, 12);
        Map<String, String> today = sinkConfig(topic, "today", "", localDir, other);
        connect.configureConnector("reused-today", today);
        try (RemoteSegmentStore store = store("today", "");
             Admin admin = other.createAdminClient()) {
            AtomicReference<String> last = new AtomicReference<>("nothing yet");
            TestUtils.waitForCondition(() -> {
                Map<Integer, Long> held = ends(store, topic);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                        "connect-reused-today").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                for (Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.entrySet()) {
                    long inBucket = held.getOrDefault(c.getKey().partition(), 0L);
                    assertTrue(c.getValue().offset() <= inBucket, c.getKey() + " committed "
                            + c.getValue().offset() + " but bucket 'today' holds only up to " + inBucket);
                }
                last.set("committed " + committed + ", bucket 'today' holds " + held);
                return held.values().stream().mapToLong(Long::longValue).sum() == 6_000 && committed.size() == 4
                        && committed.values().stream().allMatch(o -> o.offset() == 1_500);
            }, WAIT.toMillis(), () -> "not every record reached bucket 'today' and was committed: " + last.get());
        } finally {
            connect.deleteConnector("reused-today");
        }
    }

    /**
     * The sink's bucket was emptied (or replaced by an empty one of the same name) while its local copies remain:
     * what the bucket holds now counts, not the local files that remember an upload. The local copies are uploaded
     * again, and nothing is committed beyond what the bucket holds.
     */
    @Test
    void anEmptiedBucketGetsTheLocalCopiesAgain() throws Exception {
        String topic = "emptied";
        KafkaTopics.create(connect.kafka(), topic, 2, Map.of());
        ArchiveFixture.produce(connect.kafka(), topic, 2, 1_000, 21);
        Map<String, String> config = sinkConfig(topic, "emptied", "", tempDir.resolve("emptied-local"),
                connect.kafka());
        config.put("local.retention.ms", "-1");
        connect.configureConnector("emptied-archive", config);
        try (RemoteSegmentStore store = store("emptied", "")) {
            awaitEach(store, topic, 1, 2_000);
            connect.deleteConnector("emptied-archive");
            deleteObjects(s3.bucketDir("emptied"));
            assertTrue(store.catalog().incarnations(topic).isEmpty(), "the bucket is empty");

            connect.configureConnector("emptied-archive", config);
            ArchiveFixture.produce(connect.kafka(), topic, 2, 500, 22);
            awaitEach(store, topic, 1, 3_000);
        } finally {
            connect.deleteConnector("emptied-archive");
        }
    }

    private Map<String, String> sinkConfig(String topic, String bucket, String prefix, Path localDir,
                                           EmbeddedKafkaCluster kafka) {
        Map<String, String> c = ArchiveFixture.connectorConfig(kafka.bootstrapServers(), localDir, topic, 1, s3);
        c.put("s3.bucket", bucket);
        if (!prefix.isEmpty()) {
            c.put("s3.prefix", prefix);
        }
        c.put("segment.ms", "1000");
        c.put("commit.mode", "remote");
        if (kafka != connect.kafka()) {
            c.put("consumer.override.bootstrap.servers", kafka.bootstrapServers());
        }
        return c;
    }

    private RemoteSegmentStore store(String bucket, String prefix) {
        S3Connection connection = S3TestConnections.withPrefix(S3TestConnections.create(s3, bucket), prefix);
        return RemoteSegmentStore.create(connection);
    }

    /** Waits until the archive holds {@code incarnations} incarnations of the topic, the newest {@code records}. */
    private static void awaitNewest(RemoteSegmentStore store, String topic, int incarnations, long records)
            throws InterruptedException {
        await(store, topic, incarnations, records, true);
    }

    /** Waits until the archive holds {@code incarnations} incarnations of the topic, each of {@code records}. */
    private static void awaitEach(RemoteSegmentStore store, String topic, int incarnations, long records)
            throws InterruptedException {
        await(store, topic, incarnations, records, false);
    }

    private static void await(RemoteSegmentStore store, String topic, int incarnations, long records,
                              boolean newestOnly) throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>("nothing yet");
        TestUtils.waitForCondition(() -> {
            List<ArchiveCatalog.Entry> all = store.catalog().incarnations(topic);
            List<Long> counts = new ArrayList<>();
            for (ArchiveCatalog.Entry e : all) {
                counts.add(recordCount(store, topic, e.incarnation()));
            }
            seen.set(all.size() + " incarnation(s) of " + counts + " records");
            List<Long> checked = newestOnly && !counts.isEmpty() ? counts.subList(counts.size() - 1, counts.size())
                    : counts;
            return all.size() == incarnations && checked.stream().allMatch(c -> c == records);
        }, WAIT.toMillis(), () -> topic + ": expected " + incarnations + " incarnation(s), " + (newestOnly
                ? "the newest" : "each") + " of " + records + " records; the archive holds " + seen.get());
    }

    private static long count(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records) {
        return records.values().stream().mapToLong(List::size).sum();
    }

    private static void deleteObjects(Path bucketDir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(bucketDir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(bucketDir)) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }

    private static long recordCount(RemoteSegmentStore store, String topic, Incarnation incarnation)
            throws Exception {
        long count = 0;
        for (int p : store.catalog().partitions(topic, incarnation)) {
            count += store.view(new ArchivePartition(topic, incarnation, p)).segments().stream()
                    .mapToLong(SegmentMetadata::recordCount).sum();
        }
        return count;
    }

    /** The end of each partition of the newest incarnation of {@code topic} in {@code store}. */
    private static Map<Integer, Long> ends(RemoteSegmentStore store, String topic) throws Exception {
        Map<Integer, Long> ends = new HashMap<>();
        List<ArchiveCatalog.Entry> all = store.catalog().incarnations(topic);
        if (!all.isEmpty()) {
            Incarnation newest = all.get(all.size() - 1).incarnation();
            for (int p : store.catalog().partitions(topic, newest)) {
                ends.put(p, Math.max(0, store.view(new ArchivePartition(topic, newest, p)).endOffset()));
            }
        }
        return ends;
    }

    private void recreate(EmbeddedKafkaCluster kafka, String topic, int partitions) throws Exception {
        kafka.deleteTopic(topic);
        TestUtils.waitForCondition(() -> kafka.describeTopics(topic).get(topic).isEmpty(), 60_000,
                "topic " + topic + " deleted");
        TestUtils.retryOnExceptionWithTimeout(60_000, () -> KafkaTopics.create(kafka, topic, partitions, Map.of()));
    }

    /** Replays one incarnation of {@code topic} into {@code target} and waits for its {@code records}. */
    private void replay(String topic, String bucket, String prefix, String incarnation, String target,
                        int partitions, long records) throws Exception {
        Map<String, String> c = ReplayItSupport.replayConfig(s3, connect, topic, target);
        c.put("s3.bucket", bucket);
        if (prefix.isEmpty()) {
            c.remove("s3.prefix");
        } else {
            c.put("s3.prefix", prefix);
        }
        c.put("replay.incarnation", incarnation);
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", Integer.toString(partitions));
        String name = "replay-" + target.replace('.', '-');
        connect.configureConnector(name, c);
        try {
            ReplayItSupport.awaitRecords(connect, target, partitions, records, WAIT);
        } finally {
            connect.deleteConnector(name);
        }
    }

    private static String clusterId(EmbeddedKafkaCluster kafka) throws Exception {
        try (Admin admin = kafka.createAdminClient()) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    private static void assertSameRecords(String what, Map<Integer, List<ConsumerRecord<byte[], byte[]>>> expected,
                                          Map<Integer, List<ConsumerRecord<byte[], byte[]>>> actual) {
        for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : expected.entrySet()) {
            List<ConsumerRecord<byte[], byte[]>> got = actual.getOrDefault(e.getKey(), List.of());
            assertEquals(e.getValue().size(), got.size(), what + "-" + e.getKey() + ": record count");
            for (int i = 0; i < got.size(); i++) {
                ConsumerRecord<byte[], byte[]> x = e.getValue().get(i);
                ConsumerRecord<byte[], byte[]> y = got.get(i);
                String at = what + "-" + e.getKey() + " record " + i;
                assertArrayEquals(x.key(), y.key(), at + ": key");
                assertArrayEquals(x.value(), y.value(), at + ": value");
                assertEquals(x.timestamp(), y.timestamp(), at + ": timestamp");
                assertEquals(x.headers(), y.headers(), at + ": headers");
            }
        }
    }
}
