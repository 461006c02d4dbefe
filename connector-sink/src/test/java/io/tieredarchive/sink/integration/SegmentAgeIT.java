package io.tieredarchive.sink.integration;

import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.sink.integration.ArchiveFixture.awaitArchived;
import static io.tieredarchive.sink.integration.ArchiveFixture.connectorConfig;
import static io.tieredarchive.sink.integration.ArchiveFixture.consumeAll;
import static io.tieredarchive.sink.integration.ArchiveFixture.lastOffsets;

/**
 * {@code segment.ms} on a worker whose offset commits are far apart: Connect polls for records until its next
 * offset commit and only then calls the task again, so without the task asking for an earlier call the last
 * segment of a burst waited for that commit (10 minutes here) before it was sealed.
 */
class SegmentAgeIT {

    static EmbeddedConnectCluster connect;
    static S3ProxyServer s3;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startCluster() {
        s3 = ArchiveFixture.startS3(tmp);
        connect = InProcessConnect.named("segment-age-it").workerProp("offset.flush.interval.ms", "600000").start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Closing.closeAll(s3, Closing.stopping(connect));
    }

    @Test
    void theLastSegmentOfABurstIsSealedAtSegmentMsNotAtTheNextOffsetCommit() throws Exception {
        String topic = "burst";
        KafkaTopics.create(connect.kafka(), topic, 2, Map.of());
        Path localDir = tmp.resolve("burst");
        Map<String, String> config = connectorConfig(connect.kafka().bootstrapServers(), localDir, topic, 1, s3);
        config.put("segment.ms", "1000");
        config.put("commit.mode", "local");
        connect.configureConnector("burst", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("burst", 1, "sink did not start");

        ArchiveFixture.produce(connect.kafka(), topic, 2, 2_000, 1);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = consumeAll(connect.kafka(), topic);
        // Far less than the 10-minute commit interval: the seal must not wait for a commit.
        awaitArchived(localDir, topic, lastOffsets(consumed), Duration.ofSeconds(90));
        connect.deleteConnector("burst");
    }
}
