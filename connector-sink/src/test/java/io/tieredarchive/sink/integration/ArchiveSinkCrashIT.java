package io.tieredarchive.sink.integration;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.ConnectWorkerProcess;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.tieredarchive.sink.integration.ArchiveFixture.assertArchiveMatches;
import static io.tieredarchive.sink.integration.ArchiveFixture.awaitArchived;
import static io.tieredarchive.sink.integration.ArchiveFixture.awaitSealed;
import static io.tieredarchive.sink.integration.ArchiveFixture.connectorConfig;
import static io.tieredarchive.sink.integration.ArchiveFixture.consumeAll;
import static io.tieredarchive.sink.integration.ArchiveFixture.lastOffsets;
import static io.tieredarchive.sink.integration.ArchiveFixture.partitionDir;
import static io.tieredarchive.sink.integration.ArchiveFixture.sealedRecordCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unclean stop in the middle of archiving. The in-process {@code EmbeddedConnectCluster} cannot crash (its
 * workers only stop cleanly), so this test runs the Connect worker as a child JVM ({@link ConnectWorkerProcess}:
 * {@code ConnectDistributed} on this JVM's classpath) against an in-process broker ({@link EmbeddedKafkaCluster}),
 * and kills it with SIGKILL while records arrive: no task is closed, no segment sealed, no offset committed, and
 * the active segments are left half-written on disk. A second worker process of the same Connect cluster then takes
 * over the connector and the same {@code local.dir}. The archive must still be contiguous, with no duplicate, and
 * byte-identical to what a consumer reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveSinkCrashIT {

    EmbeddedKafkaCluster kafka;
    S3ProxyServer s3;

    @TempDir
    static Path tmp;

    /** Worker keys beyond the test's own: a subclass runs the same case with another consumer group protocol. */
    Map<String, String> extraWorkerProps() {
        return Map.of();
    }

    /** Broker keys beyond the defaults, for a subclass. */
    Properties brokerProps() {
        return new Properties();
    }

    @BeforeAll
    void startBroker() {
        s3 = ArchiveFixture.startS3(tmp);
        kafka = new EmbeddedKafkaCluster(1, brokerProps());
        kafka.start();
    }

    @AfterAll
    void stopBroker() throws Exception {
        Closing.closeAll(s3, Closing.stopping(kafka));
    }

    @Test
    void aKilledWorkerLeavesAnArchiveThatANewWorkerCompletesExactlyOnce() throws Exception {
        String topic = "crashed";
        int partitions = 4;
        int perPartition = 25_000;
        long total = (long) partitions * perPartition;
        KafkaTopics.create(kafka, topic, partitions, Map.of());
        Path localDir = tmp.resolve("archive");
        Path workers = Files.createDirectories(Path.of("target", "crash-it-workers", Long.toString(System.nanoTime())));
        Map<String, String> workerProps = new java.util.HashMap<>(Map.of("offset.flush.interval.ms", "2000"));
        workerProps.putAll(extraWorkerProps());

        try (var producer = new ArchiveFixture.BackgroundProducer(kafka, topic, partitions, perPartition,
                Duration.ofSeconds(40), 11);
             ConnectWorkerProcess first = ConnectWorkerProcess.start(workers.resolve("first"),
                     kafka.bootstrapServers(), "crash-it", workerProps)) {
            // Segments roll by size (256 KiB) while records arrive; segment.ms only seals the tails at the end.
            Map<String, String> config = connectorConfig(kafka.bootstrapServers(), localDir, topic, 2, s3);
            config.put("segment.ms", "15000");
            first.putConnector("crashed", config);
            first.awaitRunning("crashed", 2, Duration.ofSeconds(90));
            awaitSealed(localDir, topic, partitions, total / 4);
            awaitUnsealedSegment(localDir, topic, partitions);

            first.kill();
            long sealedAtKill = sealedRecordCount(localDir, topic, partitions);
            assertTrue(sealedAtKill < total, "the worker died in the middle of archiving");
            assertTrue(unsealedSegments(localDir, topic, partitions) > 0,
                    "the kill left half-written segments behind: " + sealedAtKill + " records sealed");

            try (ConnectWorkerProcess second = ConnectWorkerProcess.start(workers.resolve("second"),
                    kafka.bootstrapServers(), "crash-it", workerProps)) {
                second.awaitRunningHere("crashed", 2, Duration.ofSeconds(120));
                producer.await(Duration.ofSeconds(120));
                Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = consumeAll(kafka, topic);
                consumed.values().forEach(records -> assertEquals(perPartition, records.size()));
                awaitArchived(localDir, topic, lastOffsets(consumed), Duration.ofSeconds(120));
                assertArchiveMatches(localDir, topic, consumed);
                assertTrue(Files.readString(second.logFile()).contains("discarded"),
                        "the new worker discarded the dead worker's unsealed segments; see " + second.logFile());
            }
        }
    }

    /** Waits (briefly) for a moment when some partition has an active segment, so that the kill cuts one. */
    private static void awaitUnsealedSegment(Path localDir, String topic, int partitions) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (unsealedSegments(localDir, topic, partitions) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static long unsealedSegments(Path localDir, String topic, int partitions) {
        long unsealed = 0;
        for (int p = 0; p < partitions; p++) {
            unsealed += SegmentFiles.list(partitionDir(localDir, topic, p)).stream().filter(f -> !f.isSealed())
                    .count();
        }
        return unsealed;
    }
}
