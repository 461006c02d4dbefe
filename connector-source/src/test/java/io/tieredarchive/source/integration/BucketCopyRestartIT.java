package io.tieredarchive.source.integration;

import io.tieredarchive.source.integration.CopyTestSupport.Event;
import io.tieredarchive.source.integration.CopyTestSupport.Seeded;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.ThrottledTcpRelay;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.tieredarchive.source.integration.CopyTestSupport.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarts the only Connect worker three times in the middle of a copy: every object is copied, and no object is
 * reported twice (one event per key). The copy reads through a throttled relay so that it is still running at each
 * restart, with multipart copies in flight. And takes the S3 store away for a while: the copy retries and
 * finishes, each object once.
 */
class BucketCopyRestartIT {

    private static final Logger log = LoggerFactory.getLogger(BucketCopyRestartIT.class);
    private static final String CONNECTOR = "copy-restarted";
    private static final String TOPIC = "events-restarted";

    @TempDir
    static Path tmp;
    private static S3ProxyServer store;
    private static S3AsyncClient client;
    private static EmbeddedConnectCluster connect;
    private static List<Seeded> seeded;
    private static List<Seeded> outageSeeded;

    @BeforeAll
    static void setUp() throws Exception {
        store = S3ProxyServer.startIn(tmp);
        client = CopyTestSupport.client(store, "source", "dest");
        Map<String, Long> sizes = CopyTestSupport.smallObjects("data", 1200);
        for (int i : new int[]{150, 450, 750, 1050}) {
            sizes.put(String.format("data/small/%05dx-large.bin", i), 11 * MIB + i);
        }
        seeded = CopyTestSupport.seed(client, "source", sizes);
        outageSeeded = CopyTestSupport.seed(client, "source", CopyTestSupport.smallObjects("outage", 400));
        connect = CopyTestSupport.connect("bucket-copy-restart-it").workerProp("scheduled.rebalance.max.delay.ms", "1000")
                .start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), client, store);
    }

    @Test
    void restartsInTheMiddleCopyEveryObjectOnceEach() throws Exception {
        try (ThrottledTcpRelay slowSource = new ThrottledTcpRelay(store.port(), 12 * MIB);
             KafkaConsumer<byte[], byte[]> events = eventsConsumer()) {
            Map<String, String> config = CopyTestSupport.connectorConfig(TOPIC, store, "source", "data", store,
                    "dest", "restored");
            config.put("source.s3.endpoint", slowSource.endpoint());
            config.put("copy.mode", "stream");
            config.put("copy.concurrency", "4");
            config.put("copy.part.size.bytes", Long.toString(5 * MIB));
            connect.configureConnector(CONNECTOR, config);

            int total = seeded.size();
            Map<String, Integer> counts = new HashMap<>();
            for (int threshold : new int[]{total / 4, total / 2, 3 * total / 4}) {
                awaitEvents(events, counts, threshold);
                int seen = counts.values().stream().mapToInt(Integer::intValue).sum();
                assertTrue(seen < total, "restart at " + seen + " events happens in the middle of the copy");
                log.info("Restarting the worker after {} of {} events", seen, total);
                connect.removeWorker();
                connect.addWorker();
                connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 1, "task back");
            }
            awaitEvents(events, counts, total);
            Thread.sleep(3_000);
            drain(events, counts);

            Set<String> expected = seeded.stream().map(Seeded::key).collect(Collectors.toSet());
            assertEquals(expected, counts.keySet(), "an event for every object, and for no other");
            Map<String, Integer> twice = counts.entrySet().stream().filter(e -> e.getValue() != 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertTrue(twice.isEmpty(), "objects reported more than once: " + twice);
            CopyTestSupport.assertCopied(client, "dest", "data", "restored", seeded);
        }
    }

    @Test
    void aStoreOutageIsRetriedAndEveryObjectCopiedOnce() throws Exception {
        Map<String, String> config = CopyTestSupport.connectorConfig("events-outage", store, "source", "outage",
                store, "dest", "outage-copy");
        // One attempt per request: the outage reaches the task's own retries, not only the SDK's.
        config.put("source.s3.retry.max.attempts", "1");
        config.put("copy.concurrency", "2");
        try (KafkaConsumer<byte[], byte[]> events = eventsConsumer("events-outage")) {
            connect.configureConnector("copy-outage", config);
            Map<String, Integer> counts = new HashMap<>();
            awaitEvents(events, counts, 50);
            store.stop();
            Thread.sleep(3_000);
            store.start();
            awaitEvents(events, counts, outageSeeded.size());
            Thread.sleep(2_000);
            drain(events, counts);
            assertEquals(outageSeeded.stream().map(Seeded::key).collect(Collectors.toSet()), counts.keySet());
            assertTrue(counts.values().stream().allMatch(c -> c == 1), "one event per object: " + counts);
            assertTrue(CopyTestSupport.metric("copy-outage", "retries-total") > 0, "the outage was retried");
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("copy-outage", 1, "not failed");
            CopyTestSupport.assertCopied(client, "dest", "outage", "outage-copy", outageSeeded);
            connect.deleteConnector("copy-outage");
        }
    }

    private static KafkaConsumer<byte[], byte[]> eventsConsumer() {
        return eventsConsumer(TOPIC);
    }

    private static KafkaConsumer<byte[], byte[]> eventsConsumer(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put("group.id", "restart-it-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("metadata.max.age.ms", "1000");
        return connect.kafka().createConsumerAndSubscribeTo(props, topic);
    }

    /** Reads events until at least {@code count}, counting events per key; every event must say copied. */
    private static void awaitEvents(KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> counts, int count)
            throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (counts.values().stream().mapToInt(Integer::intValue).sum() < count) {
            assertTrue(System.currentTimeMillis() < deadline,
                    "timed out waiting for " + count + " events: " + counts.size());
            drain(consumer, counts);
        }
    }

    private static void drain(KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> counts) throws Exception {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            Event e = new Event(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                    CopyTestSupport.JSON.readTree(r.value()));
            assertEquals("copied", e.status(), e.toString());
            counts.merge(e.key(), 1, Integer::sum);
        }
    }
}
