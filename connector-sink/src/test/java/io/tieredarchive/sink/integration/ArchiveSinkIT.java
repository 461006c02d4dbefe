package io.tieredarchive.sink.integration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static io.tieredarchive.sink.integration.ArchiveFixture.assertArchiveMatches;
import static io.tieredarchive.sink.integration.ArchiveFixture.awaitArchived;
import static io.tieredarchive.sink.integration.ArchiveFixture.connectorConfig;
import static io.tieredarchive.sink.integration.ArchiveFixture.consumeAll;
import static io.tieredarchive.sink.integration.ArchiveFixture.hasGaps;
import static io.tieredarchive.sink.integration.ArchiveFixture.lastOffsets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink on a real broker and a real Connect worker (in-process {@link EmbeddedConnectCluster}), with
 * {@code ByteArrayConverter} for keys, values and headers: what it archives is read back with the segment reader
 * and compared byte for byte with what a consumer of the topic reads.
 */
class ArchiveSinkIT {

    static EmbeddedConnectCluster connect;
    static S3ProxyServer s3;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startCluster() {
        s3 = ArchiveFixture.startS3(tmp);
        Properties broker = new Properties();
        broker.put("log.cleaner.backoff.ms", "500"); // compaction within seconds, for the compacted topic
        connect = InProcessConnect.named("archive-sink-it").brokerProps(broker).start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Closing.closeAll(s3, Closing.stopping(connect));
    }

    @Test
    void everyRecordIsArchivedOnceInOrderAndByteIdentical() throws Exception {
        String topic = "mixed";
        String appendTime = "append-time";
        KafkaTopics.create(connect.kafka(), topic, 4, Map.of());
        KafkaTopics.create(connect.kafka(), appendTime, 1, Map.of("message.timestamp.type", "LogAppendTime"));
        Path localDir = tmp.resolve("mixed");
        connect.configureConnector("mixed", connectorConfig(connect.kafka().bootstrapServers(), localDir, topic + "," + appendTime, 2, s3));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("mixed", 2, "sink did not start");

        ArchiveFixture.produce(connect.kafka(), topic, 4, 50_000, 1);
        ArchiveFixture.produce(connect.kafka(), appendTime, 1, 5_000, 2);

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = consumeAll(connect.kafka(), topic);
        assertEquals(4, consumed.size());
        consumed.values().forEach(records -> assertEquals(50_000, records.size()));
        assertTrue(consumed.get(0).stream().anyMatch(r -> r.value() == null), "tombstones are part of the test");
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> appended = consumeAll(connect.kafka(), appendTime);

        awaitArchived(localDir, topic, lastOffsets(consumed), Duration.ofSeconds(120));
        awaitArchived(localDir, appendTime, lastOffsets(appended), Duration.ofSeconds(60));
        assertArchiveMatches(localDir, topic, consumed);
        assertArchiveMatches(localDir, appendTime, appended);
        connect.deleteConnector("mixed");
    }

    /**
     * A compacted topic whose offsets have gaps: produce keys with overwrites in several rounds, each round in its
     * own log segment (small segment.ms), let the broker's cleaner compact them, and wait until a consumer sees
     * gaps that no longer change. Then archive: the archive holds exactly what the consumer sees, gaps included.
     */
    @Test
    void aCompactedTopicWithGapsIsArchivedAsTheConsumerSeesIt() throws Exception {
        String topic = "compacted";
        KafkaTopics.create(connect.kafka(), topic, 1, Map.of("cleanup.policy", "compact", "segment.ms", "300",
                "min.cleanable.dirty.ratio", "0.01", "min.compaction.lag.ms", "0", "delete.retention.ms",
                "86400000"));
        Random random = new Random(3);
        try (KafkaProducer<byte[], byte[]> producer = ArchiveFixture.producer(connect.kafka())) {
            for (int round = 0; round < 8; round++) {
                // Later rounds overwrite only the even keys: the odd keys' first values survive between gaps.
                for (int k = 0; k < 200; k += round == 0 ? 1 : 2) {
                    byte[] value = round == 7 && k % 10 == 0 ? null : ("v" + round + "-" + random.nextInt())
                            .getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(topic, 0, ("k" + k).getBytes(StandardCharsets.UTF_8),
                            value)).get();
                }
                Thread.sleep(400); // the next record rolls a new segment, so this round can be cleaned
            }
            producer.send(new ProducerRecord<>(topic, 0, "roll".getBytes(StandardCharsets.UTF_8),
                    "last".getBytes(StandardCharsets.UTF_8))).get();
        }
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = awaitStableCompaction(topic);
        assertTrue(consumed.get(0).size() < 901, "compaction removed records: " + consumed.get(0).size());

        Path localDir = tmp.resolve("compacted");
        connect.configureConnector("compacted", connectorConfig(connect.kafka().bootstrapServers(), localDir, topic, 1, s3));
        awaitArchived(localDir, topic, lastOffsets(consumed), Duration.ofSeconds(60));
        assertArchiveMatches(localDir, topic, consumed);
        connect.deleteConnector("compacted");
    }

    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> awaitStableCompaction(String topic)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> previous = null;
        while (System.nanoTime() < deadline) {
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> now = consumeAll(connect.kafka(), topic);
            List<Long> offsets = now.get(0).stream().map(ConsumerRecord::offset).toList();
            if (hasGaps(now.get(0)) && previous != null
                    && offsets.equals(previous.get(0).stream().map(ConsumerRecord::offset).toList())) {
                return now;
            }
            previous = now;
            Thread.sleep(3000); // several cleaner passes (log.cleaner.backoff.ms=500)
        }
        throw new AssertionError("The compacted topic did not settle with gaps in its offsets within 90 s");
    }

    @Test
    void validateRefusesBadConfigsNamingTheKey() {
        Map<String, String> base = connectorConfig(connect.kafka().bootstrapServers(), tmp.resolve("validate"), "t", 1, s3);
        base.put("name", "validate");

        Map<String, String> noLocalDir = new HashMap<>(base);
        noLocalDir.remove("local.dir");
        assertOnlyError(noLocalDir, "local.dir", "local.dir");

        Map<String, String> unknownCodec = new HashMap<>(base);
        unknownCodec.put("compression.type", "lz5");
        assertOnlyError(unknownCodec, "compression.type", "lz5");

        Map<String, String> segmentSmallerThanBatch = new HashMap<>(base);
        segmentSmallerThanBatch.put("segment.bytes", Integer.toString(64 * 1024));
        segmentSmallerThanBatch.put("batch.bytes", Integer.toString(128 * 1024));
        assertOnlyError(segmentSmallerThanBatch, "segment.bytes", "batch.bytes");

        assertEquals(0, connect.validateConnectorConfig("ArchiveSinkConnector", base).errorCount());
    }

    private static void assertOnlyError(Map<String, String> config, String key, String mentioned) {
        ConfigInfos result = connect.validateConnectorConfig("ArchiveSinkConnector", config);
        List<String> errors = errors(result);
        assertTrue(result.errorCount() > 0, "no error for " + key);
        assertTrue(errors.stream().allMatch(e -> e.startsWith(key + ": ")), "errors on other keys: " + errors);
        ConfigInfo info = result.configs().stream().filter(v -> v.configValue().name().equals(key)).findFirst()
                .orElseThrow();
        assertTrue(info.configValue().errors().stream().anyMatch(e -> e.contains(mentioned) && e.contains(key)),
                key + ": " + info.configValue().errors());
    }

    private static List<String> errors(ConfigInfos result) {
        return result.configs().stream().flatMap(v -> v.configValue().errors().stream()
                .map(e -> v.configValue().name() + ": " + e)).toList();
    }
}
