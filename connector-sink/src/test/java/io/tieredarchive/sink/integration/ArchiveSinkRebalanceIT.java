package io.tieredarchive.sink.integration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.sink.integration.ArchiveFixture.assertArchiveMatches;
import static io.tieredarchive.sink.integration.ArchiveFixture.awaitArchived;
import static io.tieredarchive.sink.integration.ArchiveFixture.awaitSealed;
import static io.tieredarchive.sink.integration.ArchiveFixture.connectorConfig;
import static io.tieredarchive.sink.integration.ArchiveFixture.consumeAll;
import static io.tieredarchive.sink.integration.ArchiveFixture.lastOffsets;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rebalances while records arrive, on an in-process {@link EmbeddedConnectCluster}: a second worker joins (the
 * connector's two tasks spread over both, and their partitions move between tasks), then the first worker leaves
 * (cleanly: its tasks close their partitions and their segments are sealed, then the tasks restart on the
 * remaining worker). All workers share one {@code local.dir}, as the tasks of one machine do. The archive must
 * still hold every record exactly once, byte-identical.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveSinkRebalanceIT {

    EmbeddedConnectCluster connect;
    S3ProxyServer s3;

    @TempDir
    static Path tmp;

    /** Worker keys beyond the test's own: a subclass runs the same case with another consumer group protocol. */
    Map<String, String> extraWorkerProps() {
        return Map.of();
    }

    @BeforeAll
    void startCluster() {
        s3 = ArchiveFixture.startS3(tmp);
        Map<String, String> props = new java.util.HashMap<>(Map.of("scheduled.rebalance.max.delay.ms", "2000"));
        props.putAll(extraWorkerProps());
        connect = InProcessConnect.named(getClass().getSimpleName()).workerProps(props).start();
    }

    @AfterAll
    void stopCluster() throws Exception {
        Closing.closeAll(s3, Closing.stopping(connect));
    }

    @Test
    void aWorkerJoinsThenOneLeavesAndTheArchiveHasEveryRecordOnce() throws Exception {
        String topic = "rebalanced";
        int partitions = 4;
        int perPartition = 25_000;
        KafkaTopics.create(connect.kafka(), topic, partitions, Map.of());
        Path localDir = tmp.resolve("archive");
        connect.configureConnector("rebalanced", connectorConfig(connect.kafka().bootstrapServers(), localDir, topic, 2,
                s3));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("rebalanced", 2, "sink did not start");
        WorkerHandle first = connect.workers().iterator().next();

        try (var producer = new ArchiveFixture.BackgroundProducer(connect.kafka(), topic, partitions, perPartition,
                Duration.ofSeconds(30), 7)) {
            long total = (long) partitions * perPartition;
            awaitSealed(localDir, topic, partitions, total / 5);
            connect.addWorker();
            connect.assertions().assertAtLeastNumWorkersAreUp(2, "the second worker did not join");
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("rebalanced", 2, "after the join");

            awaitSealed(localDir, topic, partitions, total / 2);
            connect.removeWorker(first);
            connect.assertions().assertExactlyNumWorkersAreUp(1, "the first worker did not leave");
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("rebalanced", 2, "after the leave");
            producer.await(Duration.ofSeconds(120));
        }

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = consumeAll(connect.kafka(), topic);
        consumed.values().forEach(records -> assertEquals(perPartition, records.size()));
        awaitArchived(localDir, topic, lastOffsets(consumed), Duration.ofSeconds(120));
        assertArchiveMatches(localDir, topic, consumed);
    }
}
