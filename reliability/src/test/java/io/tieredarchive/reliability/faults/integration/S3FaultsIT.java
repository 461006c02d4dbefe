package io.tieredarchive.reliability.faults.integration;

import io.tieredarchive.reliability.faults.FaultyS3Proxy;
import io.tieredarchive.reliability.faults.FaultyS3Proxy.Fault;
import io.tieredarchive.reliability.faults.FaultyS3Proxy.Op;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.sink.integration.ArchiveWatch;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.tieredarchive.reliability.faults.integration.SinkFixture.await;
import static io.tieredarchive.reliability.faults.integration.SinkFixture.awaitCommitted;
import static io.tieredarchive.reliability.faults.integration.SinkFixture.awaitInS3;
import static io.tieredarchive.sink.integration.ArchiveFixture.BUCKET;
import static io.tieredarchive.sink.integration.ArchiveFixture.consumeAll;
import static io.tieredarchive.sink.integration.ArchiveFixture.lastOffsets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink (commit.mode=remote, tiering on) and the replay connector talking to a real S3 server (S3Proxy) through
 * a {@link FaultyS3Proxy}: S3 gone for 30 s, slow responses, 500 InternalError and 503 SlowDown, while records
 * arrive. An {@link ArchiveWatch} checks all through each run that no committed offset passes what S3 holds and no
 * local segment is deleted before its marker is in S3; at the end S3 must hold every record exactly once, read back
 * from S3 alone. docs/sink.md: "S3 trouble never fails the task"; docs/troubleshooting.md: replay retries 5xx.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3FaultsIT {

    static final Set<Op> ALL = EnumSet.allOf(Op.class);

    static EmbeddedConnectCluster connect;
    static S3ProxyServer s3;
    static FaultyS3Proxy proxy;
    static RemoteSegmentStore store;
    static CapturedLogs logs;
    static Admin admin;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        logs = new CapturedLogs();
        s3 = S3ProxyServer.startIn(tmp);
        store = RemoteSegmentStore.create(S3TestConnections.create(s3, BUCKET));
        proxy = new FaultyS3Proxy(s3.port());
        connect = InProcessConnect.named("s3-faults-it").start();
        admin = connect.kafka().createAdminClient();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(admin, Closing.stopping(connect), store, proxy, s3, logs);
    }

    /**
     * S3 unreachable for 30 s (the proxy refuses connections) in the middle of a run: the task stays RUNNING,
     * nothing new reaches S3, local copies wait (local.retention.ms=1000 wants to free them), no commit passes S3,
     * and once S3 is back everything arrives exactly once.
     */
    @Test
    @Order(1)
    void s3DownFor30sLosesNothingAndUploadsResume() throws Exception {
        String topic = "down";
        Path localDir = tmp.resolve(topic);
        // Two attempts per S3 request: the SDK gives up within a second and the tiering service's own backoff (which
        // logs each failure) takes over. With the default, one upload could ride out the whole outage inside the
        // SDK's retries, and succeed after it without a failure ever reaching the service (seen under load).
        startSink(topic, localDir, 2, Map.of("local.retention.ms", "1000", "s3.retry.max.attempts", "2"));
        long warnsBefore = SinkFixture.occurrences(logs.text(), "Upload of " + topic + "-");

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed;
        try (ArchiveWatch watch = new ArchiveWatch(admin, topic, localDir, s3.bucketDir(BUCKET), topic, true);
             var producer = new ArchiveFixture.BackgroundProducer(connect.kafka(), topic, 2, 15_000,
                     Duration.ofSeconds(45), 31, 200, SinkFixture::record)) {
            await(() -> ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic).size() == 2, Duration.ofSeconds(60),
                    "uploads under way");
            proxy.down();
            long downAt = System.nanoTime();
            Map<Integer, Long> endAtDown = ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic);
            while (System.nanoTime() - downAt < TimeUnit.SECONDS.toNanos(30)) {
                assertEquals("RUNNING", connect.connectorStatus(topic).tasks().get(0).state(), "during the outage");
                Thread.sleep(1_000);
            }
            assertTrue(localSealedCount(localDir, topic) > 0, "segments sealed during the outage wait locally");
            assertEquals(endAtDown, ArchiveWatch.s3Ends(s3.bucketDir(BUCKET), topic), "nothing reached S3");
            proxy.up();
            long upAt = System.nanoTime();

            producer.await(Duration.ofSeconds(120));
            consumed = consumeAll(connect.kafka(), topic);
            awaitInS3(s3.bucketDir(BUCKET), topic, lastOffsets(consumed), Duration.ofSeconds(150));
            long caughtUpS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - upAt);
            awaitCommitted(admin, topic, topic, lastOffsets(consumed), Duration.ofSeconds(60));
            assertEquals("RUNNING", connect.connectorStatus(topic).tasks().get(0).state());
            watch.assertHeld();
            assertTrue(watch.commitsChecked() > 10, "the watch saw commits: " + watch.commitsChecked());
            long warns = SinkFixture.occurrences(logs.text(), "Upload of " + topic + "-") - warnsBefore;
            assertTrue(warns > 0, "the failed uploads were logged (WARN 'Upload of <topic>-<p> failed ...')");
            System.out.printf("FIGURE down: S3 refused connections for 30 s; %d upload WARNs; everything in S3 "
                    + "%d s after it came back; %d records; %d local segments freed, none before S3 had them%n",
                    warns, caughtUpS, consumed.values().stream().mapToInt(List::size).sum(),
                    watch.deletedLocal().size());
        }
        SinkFixture.assertS3HoldsExactlyOnce(store, s3.bucketDir(BUCKET), topic, consumed);
        connect.deleteConnector(topic);
    }

    /**
     * Slow responses (2 s before the first byte), then 500 InternalError on every 4th PUT/POST, then 503
     * SlowDown on every 3rd request of any kind, while records arrive: each fault is retried (the proxy sees the
     * faulted request again, and passing), and S3 ends up holding every record exactly once.
     */
    @Test
    @Order(2)
    void slowResponses500sAnd503sAreRetriedAndLoseNothing() throws Exception {
        String topic = "faulty";
        Path localDir = tmp.resolve(topic);
        startSink(topic, localDir, 2, Map.of("local.retention.ms", "1000"));
        long requestsBefore = proxy.requests();
        long retriedBefore = proxy.retriedAfterFault();

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed;
        try (ArchiveWatch watch = new ArchiveWatch(admin, topic, localDir, s3.bucketDir(BUCKET), topic, true);
             var producer = new ArchiveFixture.BackgroundProducer(connect.kafka(), topic, 2, 15_000,
                     Duration.ofSeconds(40), 32, 200, SinkFixture::record)) {
            proxy.slow(2_000, ALL);
            Thread.sleep(12_000);
            proxy.slow(0, ALL);
            proxy.inject(Fault.internalError(4, EnumSet.of(Op.PUT, Op.POST)));
            Thread.sleep(12_000);
            proxy.inject(Fault.slowDown(3, ALL));
            Thread.sleep(12_000);
            proxy.passThrough();
            producer.await(Duration.ofSeconds(120));
            consumed = consumeAll(connect.kafka(), topic);
            awaitInS3(s3.bucketDir(BUCKET), topic, lastOffsets(consumed), Duration.ofSeconds(150));
            awaitCommitted(admin, topic, topic, lastOffsets(consumed), Duration.ofSeconds(60));
            assertEquals("RUNNING", connect.connectorStatus(topic).tasks().get(0).state());
            watch.assertHeld();
            assertTrue(watch.commitsChecked() > 10, "the watch saw commits: " + watch.commitsChecked());
        }
        assertTrue(proxy.delayed() > 0, "responses were delayed: " + proxy.summary());
        assertTrue(proxy.injected(500) > 0, "500s were injected: " + proxy.summary());
        assertTrue(proxy.injected(503) > 0, "503s were injected: " + proxy.summary());
        assertTrue(proxy.retriedAfterFault() - retriedBefore > 0, "faulted requests were retried: "
                + proxy.summary());
        assertEquals(0, proxy.faultedNotRetried(), "every faulted request was retried and passed: "
                + proxy.summary());
        System.out.printf("FIGURE faults: %d requests through the proxy; %s%n", proxy.requests() - requestsBefore,
                proxy.summary());
        SinkFixture.assertS3HoldsExactlyOnce(store, s3.bucketDir(BUCKET), topic, consumed);
        connect.deleteConnector(topic);
    }

    /**
     * The replay connector reads the archive of the previous test back through the proxy while every 3rd GET,
     * HEAD or LIST gets a 500 or a 503: the restored topic holds each archived record once, in order.
     */
    @Test
    @Order(3)
    void replayThrough500sAnd503sRestoresEveryRecordOnce() throws Exception {
        String topic = "faulty";
        String target = topic + ".restored";
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> original = consumeAll(connect.kafka(), topic);
        long total = original.values().stream().mapToInt(List::size).sum();
        KafkaTopics.create(connect.kafka(), target, original.size(), Map.of());
        long injectedBefore = proxy.injected(500) + proxy.injected(503);
        long retriedBefore = proxy.retriedAfterFault();
        proxy.inject(Fault.internalError(3, EnumSet.of(Op.GET, Op.HEAD, Op.LIST)));

        connect.configureConnector("replay", ReplayFixture.replayConfig(proxy.endpoint(), s3, connect, topic,
                target));
        long started = System.nanoTime();
        await(() -> ReplayFixture.endOffsetSum(connect, target, original.size()) >= total / 2,
                Duration.ofSeconds(90), "half replayed");
        proxy.inject(Fault.slowDown(3, EnumSet.of(Op.GET, Op.HEAD, Op.LIST)));
        await(() -> ReplayFixture.endOffsetSum(connect, target, original.size()) >= total, Duration.ofSeconds(120),
                target + " holds " + total + " records");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        proxy.passThrough();
        Thread.sleep(3_000); // a duplicate would show up as more records than archived
        connect.assertions().assertConnectorAndAtLeastNumTasksAreRunning("replay", 1, "replay still running");
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = consumeAll(connect.kafka(), target);
        for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : original.entrySet()) {
            ReplayFixture.assertSameRecords(topic + "-" + e.getKey(), e.getValue(), restored.get(e.getKey()));
        }
        long injected = proxy.injected(500) + proxy.injected(503) - injectedBefore;
        assertTrue(injected > 0, "faults were injected during the replay: " + proxy.summary());
        assertTrue(proxy.retriedAfterFault() - retriedBefore > 0, "and retried: " + proxy.summary());
        System.out.printf("FIGURE replay: %d records replayed in %d s through %d injected 500/503s, "
                + "%d faulted requests retried and passed%n", total, seconds, injected,
                proxy.retriedAfterFault() - retriedBefore);
        connect.deleteConnector("replay");
    }

    // ---- helpers ----

    private static void startSink(String topic, Path localDir, int partitions, Map<String, String> overrides)
            throws Exception {
        KafkaTopics.create(connect.kafka(), topic, partitions, Map.of());
        Map<String, String> config = SinkFixture.sinkConfig(connect.kafka().bootstrapServers(), localDir, topic, 1,
                proxy.endpoint(), s3.accessKey(), s3.secretKey());
        config.putAll(overrides);
        connect.configureConnector(topic, config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(topic, 1, "sink did not start");
    }

    private static int localSealedCount(Path localDir, String topic) throws IOException {
        try (Stream<Path> dirs = Files.list(localDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(topic + "-"))
                    .mapToInt(d -> (int) SegmentFiles.list(d).stream().filter(SegmentFiles::isSealed).count())
                    .sum();
        }
    }
}
