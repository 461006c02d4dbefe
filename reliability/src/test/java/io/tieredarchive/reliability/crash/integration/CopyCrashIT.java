package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.reliability.crash.integration.CopyObjects.Seeded;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.source.integration.CopyTestSupport;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Five SIGKILLs of a worker in the middle of a bucket copy, with multipart uploads in flight. A cluster of two worker
 * JVMs with exactly-once source support, so each poll's events and the offset after them are one transaction (the
 * copy connector's own promise without it is at least once, see docs/bucket-copy.md). Each time one worker, chosen by
 * a seeded random, is killed at a seeded moment, and a new one joins. The copy reads the source through a relay paced
 * so that it is still running at the fifth kill, then at full speed. Afterwards: every source object is at the
 * destination with the same MD5, a read-committed consumer of {@code copy.events.topic} sees exactly one
 * {@code copied} event per key, and no multipart upload is left open at the destination.
 */
class CopyCrashIT {

    private static final Logger log = LoggerFactory.getLogger(CopyCrashIT.class);
    private static final String CONNECTOR = "copy-crash";
    private static final String EVENTS = "copy-crash-events";
    private static final int KILLS = CrashingCluster.KILLS;

    @TempDir
    static Path tmp;
    static S3ProxyServer store;
    static S3AsyncClient client;
    static EmbeddedKafkaCluster kafka;
    static List<Seeded> seeded;

    @BeforeAll
    static void start() throws Exception {
        store = S3ProxyServer.startIn(tmp);
        client = S3ClientFactory.asyncClient(S3TestConnections.create(store, "source"));
        S3TestConnections.create(store, "dest");
        seeded = CopyObjects.seed(client, "source", CopyObjects.sizes("data", 300, 4));
        kafka = CrashTopics.startBroker();
        KafkaTopics.create(kafka, EVENTS, 1, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(client, Closing.stopping(kafka), store);
    }

    @Test
    void fiveKillsDuringACopyCopyEveryObjectAndReportEachOnce() throws Exception {
        long began = System.nanoTime();
        int total = seeded.size();
        Map<String, Integer> counts = new HashMap<>();
        Map<String, String> workerProps = Map.of("exactly.once.source.support", "enabled",
                "producer.transaction.timeout.ms", "10000");
        try (PacedTcpRelay relay = new PacedTcpRelay(store.port(), 150 * 1024);
             CrashingCluster cluster = new CrashingCluster(CrashingCluster.logsDir("copy"),
                     kafka.bootstrapServers(), "copy-crash", workerProps);
             KafkaConsumer<byte[], byte[]> events = kafka.createConsumerAndSubscribeTo(Map.of(
                     "group.id", "copy-crash-check", "auto.offset.reset", "earliest",
                     "isolation.level", "read_committed"), EVENTS)) {
            cluster.startWorkers(2);
            cluster.any().putConnector(CONNECTOR, connectorConfig(relay.endpoint()));
            cluster.awaitRunningOnLiveWorkers(CONNECTOR, 2, Duration.ofSeconds(90));
            KillRounds.Progress reported = () -> {
                CopyObjects.drainEvents(events, counts);
                return sum(counts);
            };
            // Progress is bytes read from the source: events wait for the objects before them in the listing,
            // and a large object in flight holds them all back at this pace.
            KillRounds.Progress read = () -> {
                reported.read();
                return relay.bytesToClients();
            };
            KillRounds.awaitAbove(read, 256 * 1024);
            List<KillRounds.Round> kills = KillRounds.run(cluster, CONNECTOR, 2, KILLS, 128 * 1024, read,
                    (kill, bytes) -> {
                        int reportedAtKill = sum(counts);
                        assertTrue(reportedAtKill < total, "kill " + kill + " lands in the middle of the copy");
                        return reportedAtKill + " of " + total + " objects reported, " + openUploads().size()
                                + " multipart uploads open";
                    }, relay);
            relay.unlimited();

            KillRounds.awaitAbove(reported, total - 1, Duration.ofSeconds(150));
            long quietUntil = System.nanoTime() + 3_000_000_000L; // anything repeated would show now
            while (System.nanoTime() < quietUntil) {
                CopyObjects.drainEvents(events, counts);
            }
            Set<String> expected = seeded.stream().map(Seeded::key).collect(Collectors.toSet());
            assertEquals(expected, counts.keySet(), "an event for every object, and for no other");
            Map<String, Integer> twice = counts.entrySet().stream().filter(e -> e.getValue() != 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertTrue(twice.isEmpty(), "objects reported more than once: " + twice);
            CopyObjects.assertCopied(client, "dest", "data", "copied", seeded);
            List<MultipartUpload> left = openUploads();
            assertTrue(left.isEmpty(), "multipart uploads left open at the destination: " + left.stream()
                    .map(u -> u.key() + " " + u.uploadId()).toList());
            log.info("Copy crash test (seed {}): {} objects ({} bytes) copied, each reported once, across {} kills "
                    + "in {} s; {}", cluster.seed(), total, seeded.stream().mapToLong(Seeded::size).sum(), KILLS,
                    (System.nanoTime() - began) / 1_000_000_000L, kills);
        }
    }

    private static List<MultipartUpload> openUploads() {
        return client.listMultipartUploads(b -> b.bucket("dest")).join().uploads();
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private Map<String, String> connectorConfig(String sourceEndpoint) {
        // Two shards: each worker runs one, so every kill cuts a copy in flight.
        Map<String, String> config = ConnectorConfigs.bucketCopy(EVENTS, 2);
        config.put("exactly.once.support", "required"); // Connect refuses the connector unless it declares support
        config.putAll(S3TestConnections.connectorKeys(
                "source.", sourceEndpoint, store.accessKey(), store.secretKey(), "source", "data"));
        config.put("destination.s3.bucket", "dest");
        config.put("destination.s3.prefix", "copied");
        config.put("destination.s3.endpoint", store.endpoint());
        // Streamed (GET through the paced relay, then PUT), 11 MiB objects in 5 MiB parts.
        config.put("copy.mode", "stream");
        config.put("copy.concurrency", "4");
        config.put("copy.part.size.bytes", Long.toString(5 * CopyTestSupport.MIB));
        config.put("copy.multipart.threshold.bytes", Long.toString(5 * CopyTestSupport.MIB));
        return config;
    }
}
