package io.tieredarchive.sink.integration;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.LocalSegment;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A changed connector config takes effect on a running worker, and never routes data to a place the config no
 * longer names: a bucket changed mid-stream (the segments sealed under the old config drain to the old bucket, the
 * new archive goes on where the old one ended: every record in exactly one bucket), and keys rotated mid-stream
 * (the old ones revoked at the store; the new ones take effect without a worker restart). Nothing stays pending.
 */
class ArchiveConfigChangeIT {

    private static final Duration WAIT = Duration.ofSeconds(180);

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void start() {
        s3 = ArchiveFixture.startS3(tmp);
        S3TestConnections.create(s3, "first");
        S3TestConnections.create(s3, "second");
        connect = InProcessConnect.named("config-change-it").start();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(Closing.stopping(connect), s3);
    }

    @Test
    void aBucketChangedMidStreamGetsTheNewRecordsAndTheOldOneKeepsTheOld() throws Exception {
        String topic = "moving";
        Path localDir = tmp.resolve("moving-local");
        KafkaTopics.create(connect.kafka(), topic, 2, Map.of());
        Map<String, String> config = sinkConfig(topic, localDir, s3);
        config.put("s3.bucket", "first");
        try (CapturedLogs logs = new CapturedLogs();
             var producer = new ArchiveFixture.BackgroundProducer(connect.kafka(), topic, 2, 6_000,
                     Duration.ofSeconds(20), 31)) {
            connect.configureConnector(topic, config);
            awaitRecords(List.of("first"), topic, 2_000);
            config.put("s3.bucket", "second");
            connect.configureConnector(topic, config); // Connect restarts the tasks with the new config
            producer.await(WAIT);
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = ArchiveFixture.consumeAll(connect.kafka(),
                    topic);
            awaitExactlyOnce(List.of("first", "second"), topic, consumed);
            awaitNothingPending(localDir);
            assertTrue(records(List.of("second"), topic) > 0, "records after the change went to the new bucket");
            String text = logs.text();
            assertTrue(text.contains("to s3://first/") && text.contains("to s3://second/"),
                    "the logs say where each segment went");
        } finally {
            connect.deleteConnector(topic);
        }
    }

    @Test
    void keysRotatedAtTheStoreTakeEffectWithoutAWorkerRestart() throws Exception {
        String topic = "rotated";
        Path localDir = tmp.resolve("rotated-local");
        S3ProxyServer rotating = new S3ProxyServer(tmp.resolve("rotating-s3"), "old-key", "old-secret-do-not-log");
        rotating.start();
        try {
            S3TestConnections.create(rotating, "rotating");
            KafkaTopics.create(connect.kafka(), topic, 2, Map.of());
            Map<String, String> config = sinkConfig(topic, localDir, rotating);
            config.put("s3.bucket", "rotating");
            try (var producer = new ArchiveFixture.BackgroundProducer(connect.kafka(), topic, 2, 6_000,
                    Duration.ofSeconds(20), 32)) {
                connect.configureConnector(topic, config);
                awaitRecords(rotating, List.of("rotating"), topic, 2_000);
                rotating.restartWith("new-key", "new-secret-do-not-log"); // the old keys are revoked
                Thread.sleep(3_000); // uploads fail meanwhile; records wait locally
                config.put("s3.access.key.id", "new-key");
                config.put("s3.secret.access.key", "new-secret-do-not-log");
                connect.configureConnector(topic, config);
                producer.await(WAIT);
                Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = ArchiveFixture.consumeAll(
                        connect.kafka(), topic);
                awaitExactlyOnce(rotating, List.of("rotating"), topic, consumed);
                awaitNothingPending(localDir);
            } finally {
                connect.deleteConnector(topic);
            }
        } finally {
            rotating.stop();
        }
    }

    private static Map<String, String> sinkConfig(String topic, Path localDir, S3ProxyServer server) {
        Map<String, String> config = ArchiveFixture.connectorConfig(connect.kafka().bootstrapServers(), localDir,
                topic, 1, server);
        config.put("commit.mode", "remote");
        config.put("segment.ms", "1000");
        return config;
    }

    private static void awaitRecords(List<String> buckets, String topic, long records) throws Exception {
        awaitRecords(s3, buckets, topic, records);
    }

    private static void awaitRecords(S3ProxyServer server, List<String> buckets, String topic, long records)
            throws Exception {
        AtomicReference<Long> seen = new AtomicReference<>(0L);
        TestUtils.waitForCondition(() -> {
            seen.set(records(server, buckets, topic));
            return seen.get() >= records;
        }, WAIT.toMillis(), () -> buckets + " hold " + seen.get() + " records of " + topic + ", expected " + records);
    }

    private static long records(List<String> buckets, String topic) throws Exception {
        return records(s3, buckets, topic);
    }

    private static long records(S3ProxyServer server, List<String> buckets, String topic) throws Exception {
        long count = 0;
        for (List<SegmentMetadata> segments : segments(server, buckets, topic).values()) {
            count += segments.stream().mapToLong(SegmentMetadata::recordCount).sum();
        }
        return count;
    }

    /** Every segment of every partition of {@code topic} in the buckets, by partition. */
    private static Map<Integer, List<SegmentMetadata>> segments(S3ProxyServer server, List<String> buckets,
                                                                String topic) throws Exception {
        Map<Integer, List<SegmentMetadata>> all = new TreeMap<>();
        for (String bucket : buckets) {
            S3Connection connection = S3TestConnections.create(server, bucket);
            try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
                for (ArchiveCatalog.Entry e : store.catalog().incarnations(topic)) {
                    for (int p : store.catalog().partitions(topic, e.incarnation())) {
                        all.computeIfAbsent(p, k -> new ArrayList<>()).addAll(store.view(
                                new ArchivePartition(topic, e.incarnation(), p)).segments());
                    }
                }
            }
        }
        return all;
    }

    private static void awaitExactlyOnce(List<String> buckets, String topic,
                                         Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed)
            throws Exception {
        awaitExactlyOnce(s3, buckets, topic, consumed);
    }

    /** Waits until the buckets together hold every consumed offset, each in exactly one segment of one bucket. */
    private static void awaitExactlyOnce(S3ProxyServer server, List<String> buckets, String topic,
                                         Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed)
            throws Exception {
        AtomicReference<String> seen = new AtomicReference<>("nothing yet");
        TestUtils.waitForCondition(() -> {
            Map<Integer, List<SegmentMetadata>> all = segments(server, buckets, topic);
            for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                long expected = e.getValue().size();
                long[] cover = new long[(int) expected];
                for (SegmentMetadata m : all.getOrDefault(e.getKey(), List.of())) {
                    for (long o = m.baseOffset(); o <= m.lastOffset() && o < expected; o++) {
                        cover[(int) o]++;
                    }
                }
                long missing = java.util.Arrays.stream(cover).filter(c -> c == 0).count();
                long twice = java.util.Arrays.stream(cover).filter(c -> c > 1).count();
                seen.set(topic + "-" + e.getKey() + ": " + missing + " offset(s) in no bucket, " + twice
                        + " in more than one segment");
                assertEquals(0, twice, seen.get());
                if (missing > 0) {
                    return false;
                }
            }
            return true;
        }, WAIT.toMillis(), () -> "not every record in exactly one bucket: " + seen.get());
    }

    /** Waits until every sealed segment under {@code localDir}, retired folders included, is tiered. */
    private static void awaitNothingPending(Path localDir) throws Exception {
        AtomicReference<String> seen = new AtomicReference<>("nothing yet");
        TestUtils.waitForCondition(() -> {
            List<LocalSegment> pending = new LocalTier(localDir).scan().stream().filter(s -> !s.tiered()).toList();
            seen.set(pending.toString());
            return pending.isEmpty();
        }, WAIT.toMillis(), () -> "segments still pending: " + seen.get());
    }
}
