package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.tieredarchive.reliability.crash.integration.ArchiveChecks.unsealedSegments;
import static io.tieredarchive.sink.integration.ArchiveFixture.sealedRecordCount;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Five SIGKILLs of a sink worker while records arrive, on a Connect cluster of two worker JVMs that share one
 * {@code local.dir} (the sink's promise of no duplicate holds for tasks on one disk, see docs/sink.md, "Exactly
 * once"; S3 is the tier behind it). Each time one of the two workers, chosen by a seeded random, is killed at a
 * seeded moment, and a new one joins, so the cluster has two workers again. Afterwards every partition's archive
 * must run from offset 0 to the topic's end without a gap or a duplicate, byte-identical to what a consumer reads,
 * and S3 must hold the same offsets as one chain of segments without an overlap.
 */
class ArchiveCrashIT {

    private static final Logger log = LoggerFactory.getLogger(ArchiveCrashIT.class);
    private static final String TOPIC = "orders";
    private static final String CONNECTOR = "archive-crash";
    private static final String BUCKET = "archive";
    private static final int PARTITIONS = 4;
    private static final int TASKS = 4;
    private static final int KILLS = CrashingCluster.KILLS;

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyServer.startIn(tmp);
        S3TestConnections.create(s3, BUCKET);
        kafka = CrashTopics.startBroker();
        KafkaTopics.create(kafka, TOPIC, PARTITIONS, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(Closing.stopping(kafka), s3);
    }

    @Test
    void fiveKillsOfOneOfTwoWorkersLeaveAContiguousArchiveWithoutDuplicates() throws Exception {
        long began = System.nanoTime();
        Path localDir = tmp.resolve("archive");
        try (CrashingCluster cluster = new CrashingCluster(CrashingCluster.logsDir("archive"),
                kafka.bootstrapServers(), "archive-crash", Map.of());
             ContinuousProducer producer = new ContinuousProducer(kafka, TOPIC, PARTITIONS, 400, 17)) {
            cluster.startWorkers(2);
            cluster.any().putConnector(CONNECTOR, connectorConfig(localDir));
            cluster.awaitRunningOnLiveWorkers(CONNECTOR, TASKS, Duration.ofSeconds(90));
            KillRounds.awaitAbove(() -> sealedRecordCount(localDir, TOPIC, PARTITIONS), 2_000);

            List<KillRounds.Round> kills = KillRounds.run(cluster, CONNECTOR, TASKS, KILLS, 500,
                    () -> sealedRecordCount(localDir, TOPIC, PARTITIONS), (kill, sealed) -> {
                        long produced = producer.acked();
                        assertTrue(producer.isRunning() && produced > sealed,
                                "kill " + kill + " lands while records wait to be archived");
                        return produced + " produced, " + unsealedSegments(localDir, TOPIC, PARTITIONS)
                                + " active segments";
                    }, KillRounds.Pacing.NONE);
            producer.close();

            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = ArchiveFixture.consumeAll(kafka, TOPIC);
            long total = consumed.values().stream().mapToLong(List::size).sum();
            ArchiveFixture.awaitArchived(localDir, TOPIC, ArchiveFixture.lastOffsets(consumed), Duration.ofSeconds(90));
            ArchiveFixture.assertArchiveMatches(localDir, TOPIC, consumed);
            Map<Integer, Long> ends = new TreeMap<>();
            consumed.forEach((p, records) -> ends.put(p, records.get(records.size() - 1).offset() + 1));
            try (RemoteSegmentStore store = RemoteSegmentStore.create(s3Connection())) {
                ArchiveChecks.awaitS3Chain(store, TOPIC, ends, Duration.ofSeconds(90));
            }
            int discarded = cluster.countInLogs("unsealed segment(s)");
            assertTrue(discarded > 0, "a kill cut active segments that a new task discarded; logs in "
                    + cluster.workDir());
            log.info("Archive crash test (seed {}): {} records in {} partitions archived exactly once across {} "
                    + "kills in {} s; {} discards of cut segments; {}", cluster.seed(), total, PARTITIONS, KILLS,
                    (System.nanoTime() - began) / 1_000_000_000L, discarded, kills);
        }
    }

    /** The sink's test config, with smaller segments: they roll every few seconds, so each kill cuts active ones. */
    private static Map<String, String> connectorConfig(Path localDir) {
        Map<String, String> config = ArchiveFixture.connectorConfig(kafka.bootstrapServers(), localDir, TOPIC, TASKS, s3);
        config.put("segment.bytes", Integer.toString(128 * 1024));
        config.put("segment.ms", "4000");
        return config;
    }

    private static S3Connection s3Connection() {
        return S3TestConnections.create(s3, BUCKET);
    }
}
