package io.tieredarchive.reliability.rebalance.integration;

import io.tieredarchive.reliability.disk.SmallDisk;
import io.tieredarchive.reliability.faults.integration.SinkFixture;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tieredarchive.sink.integration.ArchiveFixture.BUCKET;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Write failures while partitions come and go incrementally. The sink's two tasks share a group whose rebalances
 * are incremental (a subclass chooses the protocol: KIP-848's consumer group protocol, or the classic one with the
 * cooperative assignor): partitions added to the topic are handed out without taking the others back, and Connect
 * keeps the records of the partitions a task still owns in the batch it retries after a failure. The
 * {@code local.dir} is a small tmpfs (root only; skipped elsewhere, saying why) that a filler makes full twice,
 * each time while partitions are added. The archive in S3 must hold every record of every partition exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IncrementalRebalanceFailuresIT {

    static final String TOPIC = "incremental";

    @TempDir
    static Path tmp;
    Path mount;
    boolean mounted;
    EmbeddedConnectCluster connect;
    S3ProxyServer s3;
    RemoteSegmentStore store;
    CapturedLogs logs;
    Admin admin;

    /** The worker keys that choose the sink consumers' group protocol. */
    abstract Map<String, String> protocol();

    @BeforeAll
    void start() throws Exception {
        mount = Files.createDirectories(tmp.resolve("small-disk"));
        String result = SmallDisk.mount(mount, "48m");
        if (result != null) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": cannot mount a tmpfs (" + result
                    + "); it needs root");
        }
        Assumptions.assumeTrue(result == null, "cannot mount a tmpfs: " + result);
        mounted = true;
        logs = new CapturedLogs();
        s3 = S3ProxyServer.startIn(tmp);
        store = RemoteSegmentStore.create(S3TestConnections.create(s3, BUCKET));
        Map<String, String> worker = new HashMap<>(protocol());
        // The sink's consumers find the added partitions at their next metadata refresh (5 minutes by default).
        worker.put("consumer.metadata.max.age.ms", "1000");
        connect = InProcessConnect.named(getClass().getSimpleName()).workerProps(worker).start();
        admin = connect.kafka().createAdminClient();
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(admin, Closing.stopping(connect), store, s3, logs);
        if (mounted) {
            SmallDisk.unmount(mount);
        }
    }

    @Test
    void writeFailuresWhilePartitionsAreAddedLoseAndRepeatNothing() throws Exception {
        Path localDir = mount.resolve("local");
        KafkaTopics.create(connect.kafka(), TOPIC, 2, Map.of());
        Map<String, String> config = SinkFixture.sinkConfig(connect.kafka().bootstrapServers(), localDir, TOPIC, 2,
                s3.endpoint(), s3.accessKey(), s3.secretKey());
        config.put("local.retention.ms", "0");
        connect.configureConnector(TOPIC, config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(TOPIC, 2, "sink did not start");

        AtomicInteger partitions = new AtomicInteger(2);
        try (GrowingProducer producer = new GrowingProducer(partitions)) {
            SinkFixture.await(() -> producer.sent() > 4_000, Duration.ofSeconds(60), "records flowing");
            for (int round = 1; round <= 2; round++) {
                int before = (int) SinkFixture.occurrences(logs.text(), "write failed");
                try (SmallDisk.Filler fill = new SmallDisk.Filler(mount.resolve("filler"))) {
                    SinkFixture.await(() -> SinkFixture.occurrences(logs.text(), "write failed") > before,
                            Duration.ofSeconds(60), "write failures");
                    int next = partitions.get() + 2;
                    admin.createPartitions(Map.of(TOPIC, NewPartitions.increaseTo(next))).all()
                            .get(30, TimeUnit.SECONDS);
                    partitions.set(next);
                    Thread.sleep(8_000); // failures go on while the new partitions are handed out
                }
                long target = 4_000L * (round + 1);
                SinkFixture.await(() -> producer.sent() > target, Duration.ofSeconds(60), "records flowing again");
            }
            producer.stopAndAwait();
        }
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = ArchiveFixture.consumeAll(connect.kafka(),
                TOPIC);
        assertTrue(consumed.size() == 6, "six partitions: " + consumed.keySet());
        SinkFixture.awaitInS3(s3.bucketDir(BUCKET), TOPIC, ArchiveFixture.lastOffsets(consumed),
                Duration.ofSeconds(180));
        SinkFixture.assertS3HoldsExactlyOnce(store, s3.bucketDir(BUCKET), TOPIC, consumed);
        long failures = SinkFixture.occurrences(logs.text(), "write failed");
        System.out.printf("FIGURE incremental rebalance (%s): %d write failures, %d records over %d partitions, "
                + "each archived once%n", getClass().getSimpleName(), failures,
                consumed.values().stream().mapToInt(List::size).sum(), consumed.size());
        connect.deleteConnector(TOPIC);
    }

    /** Produces to every partition the topic has now, round-robin, until stopped. */
    private final class GrowingProducer implements AutoCloseable {
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicInteger sent = new AtomicInteger();
        private final Thread thread;
        private volatile Throwable failure;

        GrowingProducer(AtomicInteger partitions) {
            thread = new Thread(() -> {
                Random random = new Random(17);
                try (KafkaProducer<byte[], byte[]> producer = ArchiveFixture.producer(connect.kafka())) {
                    for (int i = 0; !stopped.get(); i++) {
                        int count = partitions.get();
                        for (int p = 0; p < count; p++) {
                            producer.send(ArchiveFixture.record(TOPIC, p, i, random), (m, e) -> {
                                if (e != null) {
                                    failure = e;
                                }
                            });
                        }
                        sent.addAndGet(count);
                        if (i % 50 == 49) {
                            producer.flush();
                            Thread.sleep(20);
                        }
                    }
                    producer.flush();
                } catch (Throwable t) {
                    failure = t;
                }
            }, "growing-producer");
            thread.start();
        }

        long sent() {
            return sent.get();
        }

        void stopAndAwait() throws InterruptedException {
            stopped.set(true);
            thread.join(60_000);
            if (failure != null) {
                throw new AssertionError("the producer failed", failure);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stopped.set(true);
            thread.join(60_000);
        }
    }
}
