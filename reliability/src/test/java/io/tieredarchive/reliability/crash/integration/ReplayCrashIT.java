package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.source.integration.ReplayItSupport;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Five SIGKILLs of a worker in the middle of a replay with exactly-once on: {@code exactly.once.source.support=
 * enabled} on the workers, {@code exactly.once.support=required} on the connector, so each poll's records and its
 * source offsets are one transaction. A cluster of two worker JVMs; each time one of them, chosen by a seeded
 * random, is killed at a seeded moment (a transaction is open most of the time: polls are small) and a new one
 * joins. The replay reads S3 through a relay paced so that it is still running at the fifth kill on any machine,
 * then runs at full speed to the end. A read-committed consumer of the target must then see every archived record
 * exactly once, in order, byte-identical to the archive.
 */
class ReplayCrashIT {

    private static final Logger log = LoggerFactory.getLogger(ReplayCrashIT.class);
    private static final String BUCKET = "archive";
    private static final String PREFIX = "kafka/archive";
    private static final String TOPIC = "payments";
    private static final String TARGET = "payments.replayed";
    private static final String CONNECTOR = "replay-crash";
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 20_000;
    private static final int KILLS = CrashingCluster.KILLS;

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static EmbeddedKafkaCluster kafka;
    static Map<Integer, List<ArchivedRecord>> archived = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyServer.startIn(tmp);
        S3Connection connection = S3TestConnections.withPrefix(S3TestConnections.create(s3, BUCKET), PREFIX);
        long t0 = System.currentTimeMillis() - 3_600_000L;
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            for (int p = 0; p < PARTITIONS; p++) {
                archived.put(p, ReplayArchive.records(p, PER_PARTITION, t0));
                ReplayArchive.archive(store, tmp.resolve("local"), TOPIC, p, archived.get(p), 1_000);
            }
        }
        kafka = CrashTopics.startBroker();
        KafkaTopics.create(kafka, TARGET, PARTITIONS, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(Closing.stopping(kafka), s3);
    }

    @Test
    void fiveKillsDuringAnExactlyOnceReplayLeaveEachRecordOnceInTheTarget() throws Exception {
        long began = System.nanoTime();
        List<TopicPartition> targets = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            targets.add(new TopicPartition(TARGET, p));
        }
        // A dead worker's open transaction blocks read-committed reads of the offsets topic until it times out.
        Map<String, String> workerProps = Map.of("exactly.once.source.support", "enabled",
                "producer.transaction.timeout.ms", "10000");
        try (PacedTcpRelay relay = new PacedTcpRelay(s3.port(), 64 * 1024);
             CrashingCluster cluster = new CrashingCluster(CrashingCluster.logsDir("replay"),
                     kafka.bootstrapServers(), "replay-crash", workerProps);
             Admin admin = kafka.createAdminClient()) {
            cluster.startWorkers(2);
            cluster.any().putConnector(CONNECTOR, connectorConfig(relay.endpoint()));
            cluster.awaitRunningOnLiveWorkers(CONNECTOR, 2, Duration.ofSeconds(90));
            KillRounds.awaitAbove(() -> CrashTopics.endOffsetSum(admin, targets), 500);

            KillRounds.Progress written = () -> CrashTopics.endOffsetSum(admin, targets);
            List<KillRounds.Round> kills = KillRounds.run(cluster, CONNECTOR, 2, KILLS, 200, written,
                    (kill, atKill) -> {
                        assertTrue(atKill < (long) PARTITIONS * PER_PARTITION,
                                "kill " + kill + " lands before the end");
                        return relay.bytesToClients() + " bytes read from S3";
                    }, relay);
            relay.unlimited();

            long expected = (long) PARTITIONS * PER_PARTITION;
            awaitCommitted(expected, Duration.ofSeconds(120));
            Thread.sleep(2_000); // anything late or repeated would show now
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> replayed =
                    ReplayItSupport.readAll(kafka, TARGET, PARTITIONS);
            dumpOffsetsTopic(cluster.workDir().resolve("offsets-topic.txt"));
            for (int p = 0; p < PARTITIONS; p++) {
                log.info("{}-{}: {} records, archived offsets in runs: {}", TARGET, p, replayed.get(p).size(),
                        ReplayArchive.runs(archived.get(p), replayed.get(p)));
            }
            for (int p = 0; p < PARTITIONS; p++) {
                ReplayArchive.assertReplayedOnce(TARGET + "-" + p, archived.get(p), replayed.get(p));
            }
            log.info("Replay crash test (seed {}): {} records in {} partitions replayed exactly once across {} kills "
                    + "in {} s; target end offsets (records, aborted ones, markers) {}; {}", cluster.seed(),
                    expected, PARTITIONS, KILLS, (System.nanoTime() - began) / 1_000_000_000L,
                    CrashTopics.endOffsetSum(admin, targets), kills);
        }
    }

    /** Writes every record of the workers' offsets topic, committed or not, for a post-mortem. */
    private static void dumpOffsetsTopic(Path file) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String isolation : List.of("read_uncommitted", "read_committed")) {
            sb.append("# ").append(isolation).append('\n');
            try (var consumer = kafka.createConsumer(Map.of("isolation.level", isolation,
                    "auto.offset.reset", "earliest"))) {
                TopicPartition tp = new TopicPartition("replay-crash-offsets", 0);
                consumer.assign(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                long deadline = System.currentTimeMillis() + 30_000;
                while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        sb.append(r.offset()).append(' ').append(r.timestamp()).append(' ')
                                .append(r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8))
                                .append(' ')
                                .append(r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8))
                                .append('\n');
                    }
                }
            }
        }
        Files.writeString(file, sb);
    }

    /** Waits until a read-committed consumer sees {@code records} records in the target. */
    private static void awaitCommitted(long records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen;
        while ((seen = ReplayItSupport.readAll(kafka, TARGET, PARTITIONS).values().stream()
                .mapToLong(List::size).sum()) < records) {
            assertTrue(System.nanoTime() < deadline, "the target holds " + seen + " committed records, not "
                    + records + ", after " + timeout);
            Thread.sleep(1_000);
        }
    }

    private static Map<String, String> connectorConfig(String s3Endpoint) {
        Map<String, String> c = ConnectorConfigs.byteReplay(2);
        c.putAll(S3TestConnections.connectorKeys("", s3Endpoint, s3.accessKey(), s3.secretKey(), BUCKET, PREFIX));
        c.put("replay.topics", TOPIC);
        c.put("replay.topic.format", "${topic}.replayed");
        c.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        // Small polls: a transaction is open most of the time, so a kill usually cuts one.
        c.put("replay.batch.records", "200");
        c.put("exactly.once.support", "required");
        c.put("transaction.boundary", "poll");
        return c;
    }
}
