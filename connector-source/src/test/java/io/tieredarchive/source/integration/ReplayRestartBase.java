package io.tieredarchive.source.integration;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.source.testing.TestArchives;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.testing.ThrottledTcpRelay;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.tieredarchive.source.integration.ReplayItSupport.BUCKET;
import static io.tieredarchive.source.integration.ReplayItSupport.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replay of 4 partitions x 25,000 records during which the only worker is removed and a new one added, three
 * times: each time another twentieth of the records has been written, so every restart lands in the middle of the
 * replay. The workers stop tasks with a 1 ms graceful timeout, so a task is usually cancelled with records in
 * flight and offsets not committed: the case in which a replay could lose or repeat records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReplayRestartBase {

    private static final Logger log = LoggerFactory.getLogger(ReplayRestartBase.class);
    static final String TOPIC = "events";
    static final String TARGET = "events.restored";
    static final int PARTITIONS = 4;
    static final int PER_PARTITION = 25_000;
    static final int TOTAL = PARTITIONS * PER_PARTITION;

    @TempDir
    static Path tempDir;
    S3ProxyServer s3;
    /** The replay reads S3 through this relay, at a pace that keeps it running across the restarts. */
    ThrottledTcpRelay slowS3;
    EmbeddedConnectCluster connect;

    /** Worker settings of the subclass's mode. */
    abstract Map<String, String> workerProps();

    /** Connector settings of the subclass's mode. */
    abstract Map<String, String> connectorProps();

    /** Records per poll: small enough that each restart cuts a replay in the middle of its work. */
    abstract int batchRecords();

    @BeforeAll
    void setUp() throws Exception {
        s3 = S3ProxyServer.startIn(tempDir);
        S3Connection connection = S3TestConnections.withPrefix(S3TestConnections.create(s3, BUCKET), PREFIX);
        long t0 = System.currentTimeMillis() - 3600_000L;
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            for (int p = 0; p < PARTITIONS; p++) {
                List<ArchivedRecord> records = TestArchives.identifiedRecords(p, PER_PARTITION, 150, t0);
                TestArchives.archive(store, tempDir.resolve("local"), TOPIC, p, records, 2_500);
            }
        }
        // Unthrottled, 100,000 small records replay in a few seconds on a quiet machine, which can be over before
        // the second restart; at 2 MiB/s the replay lasts about ten seconds of reading, restarts excluded.
        slowS3 = new ThrottledTcpRelay(s3.port(), 2L * 1024 * 1024);
        Map<String, String> worker = new HashMap<>(workerProps());
        worker.put("task.shutdown.graceful.timeout.ms", "1");
        // A worker whose tasks are cancelled may leave the group late; do not wait a minute for it.
        worker.put("rebalance.timeout.ms", "15000");
        connect = InProcessConnect.named(getClass().getSimpleName()).byteArrayConverters().workerProps(worker).start();
        KafkaTopics.create(connect.kafka(), TARGET, PARTITIONS);
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), slowS3, s3);
    }

    /**
     * Runs the replay with three worker restarts, each once another twentieth of the records is written.
     *
     * @return the archived offsets replayed, per partition, in the order a read-committed consumer sees them
     */
    Map<Integer, List<Long>> replayWithRestarts() throws Exception {
        Map<String, String> c = ReplayItSupport.replayConfig(s3, connect, TOPIC, "${topic}.restored");
        c.put("replay.batch.records", Integer.toString(batchRecords()));
        c.put("s3.endpoint", slowS3.endpoint());
        c.putAll(connectorProps());
        connect.configureConnector("replay", c);
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(TARGET, p));
        }
        // One consumer watches the end offsets throughout, so a restart follows progress within milliseconds.
        try (KafkaConsumer<byte[], byte[]> watcher = connect.kafka().createConsumer(Map.of())) {
            long next = TOTAL / 20;
            for (int restart = 1; restart <= 3; restart++) {
                long written = awaitProgress(watcher, tps, next);
                assertTrue(written < TOTAL, "the replay finished before restart " + restart);
                log.info("Restart {}: removing the worker with {} of {} records written", restart, written, TOTAL);
                connect.removeWorker();
                connect.addWorker();
                next = written + TOTAL / 20;
            }
        }
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("replay", 2, "replay did not resume");
        ReplayItSupport.awaitRecords(connect, TARGET, PARTITIONS, TOTAL, Duration.ofSeconds(120));
        Thread.sleep(2_000); // anything late would show now
        Map<Integer, List<Long>> offsets = new HashMap<>();
        ReplayItSupport.readAll(connect, TARGET, PARTITIONS).forEach((p, records) -> {
            List<Long> l = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                l.add(TestArchives.identifiedOffset(r.value()));
                assertEquals(p + ":", new String(r.value(), 0, 2), "record of partition " + p + " in " + p);
            }
            offsets.put(p, l);
        });
        return offsets;
    }

    /** Waits until the target's end offsets (records, committed or not) reach {@code atLeast}. */
    private static long awaitProgress(KafkaConsumer<byte[], byte[]> watcher, List<TopicPartition> tps, long atLeast)
            throws InterruptedException {
        long[] seen = {0};
        TestUtils.waitForCondition(() -> {
            seen[0] = watcher.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
            return seen[0] >= atLeast;
        }, 120_000, 5, () -> "only " + seen[0] + " records written, waiting for " + atLeast);
        return seen[0];
    }

    /** Every archived offset of every partition appears at least once. */
    static void assertNoGap(Map<Integer, List<Long>> replayed) {
        for (int p = 0; p < PARTITIONS; p++) {
            TreeSet<Long> distinct = new TreeSet<>(replayed.get(p));
            assertEquals(PER_PARTITION, distinct.size(), "partition " + p + ": distinct offsets replayed");
            assertEquals(0L, distinct.first());
            assertEquals(PER_PARTITION - 1L, distinct.last());
        }
    }
}
