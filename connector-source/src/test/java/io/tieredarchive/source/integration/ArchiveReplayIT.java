package io.tieredarchive.source.integration;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.source.testing.TestArchives;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.tieredarchive.source.integration.ReplayItSupport.BUCKET;
import static io.tieredarchive.source.integration.ReplayItSupport.PREFIX;
import static io.tieredarchive.source.integration.ReplayItSupport.assertSameRecords;
import static io.tieredarchive.source.integration.ReplayItSupport.awaitFailure;
import static io.tieredarchive.source.integration.ReplayItSupport.awaitRecords;
import static io.tieredarchive.source.integration.ReplayItSupport.readAll;
import static io.tieredarchive.source.integration.ReplayItSupport.replayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay end to end: a real broker and Connect worker, S3Proxy, and an archive built as the sink and the tier build
 * it (segments written with {@code SegmentWriter}, uploaded and registered by {@code RemoteSegmentStore}, local
 * copies deleted), so every record comes back from S3. {@code orders} has 4 partitions of 3,000 records in 5
 * segments each, with null keys and values, headers, jittered and log-append timestamps, and in partition 1 an
 * offset gap; {@code small} has 300 records in one segment, {@code live} 100, and more once a test follows it;
 * {@code ledger} (1 partition, 3 segments) is the one whose middle segment gets corrupted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveReplayIT {

    private static final String ORDERS = "orders";
    private static final int PARTITIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tempDir;
    private S3ProxyServer s3;
    private EmbeddedConnectCluster connect;
    private final Map<Integer, List<ArchivedRecord>> orders = new TreeMap<>();
    private final Map<Integer, List<ArchivedRecord>> ledger = new TreeMap<>();
    private List<SegmentMetadata> ledgerSegments;
    private S3Connection connection;
    private long t0;

    @BeforeAll
    void setUp() throws Exception {
        s3 = S3ProxyServer.startIn(tempDir);
        connection = S3TestConnections.withPrefix(S3TestConnections.create(s3, BUCKET), PREFIX);
        t0 = System.currentTimeMillis() - 3 * 3600_000L;
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            for (int p = 0; p < PARTITIONS; p++) {
                List<Long> offsets = p == 1
                        ? concat(TestArchives.offsets(0, 1000), TestArchives.offsets(1200, 3200))
                        : TestArchives.offsets(0, 3000);
                orders.put(p, TestArchives.records(p, offsets, t0));
                TestArchives.archive(store, tempDir.resolve("local"), ORDERS, p, orders.get(p), 700);
            }
            TestArchives.archive(store, tempDir.resolve("local"), "small", 0,
                    TestArchives.records(0, TestArchives.offsets(0, 300), t0), 300);
            TestArchives.archive(store, tempDir.resolve("local"), "live", 0, live(0, 100), 100);
            ledger.put(0, TestArchives.records(0, TestArchives.offsets(0, 1500), t0));
            ledgerSegments = TestArchives.archive(store, tempDir.resolve("local"), "ledger", 0, ledger.get(0), 500);
        }
        connect = InProcessConnect.named("replay-it").byteArrayConverters().start();
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), s3);
    }

    private List<ArchivedRecord> live(long from, long to) {
        return TestArchives.records(0, TestArchives.offsets(0, 400), t0).subList((int) from, (int) to);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private Map<String, String> config(String topics, String format) {
        return replayConfig(s3, connect, topics, format);
    }

    private int expectedCount(Map<Integer, List<ArchivedRecord>> byPartition) {
        return byPartition.values().stream().mapToInt(List::size).sum();
    }

    private void assertReplayed(String target, Map<Integer, List<ArchivedRecord>> expected) throws Exception {
        awaitRecords(connect, target, PARTITIONS, expectedCount(expected), WAIT);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> actual = readAll(connect, target, PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            assertSameRecords(target + "-" + p, expected.getOrDefault(p, List.of()), actual.get(p));
        }
    }

    @Test
    void fullReplayIntoANewTopicEqualsTheOriginalRecordByRecord() throws Exception {
        Map<String, String> c = config(ORDERS, "${topic}.restored");
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        connect.configureConnector("full", c);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("full", 2, "replay did not start");
        assertEquals(PARTITIONS, connect.kafka().describeTopics("orders.restored").get("orders.restored")
                .orElseThrow().partitions().size(), "created with the archived partition count, not the default 1");
        assertReplayed("orders.restored", orders);
        Thread.sleep(2000); // nothing more comes once the replay is complete
        assertEquals(expectedCount(orders), ReplayItSupport.committedCount(connect, "orders.restored", PARTITIONS));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("full", 2, "an idle replay keeps running");
        assertEquals(expectedCount(orders), CopyTestSupport.metric("full", "records-replayed-total"), 0.0);
        assertTrue(CopyTestSupport.metric("full", "bytes-replayed-total") > 12_000 * 20);
        assertEquals(PARTITIONS * 5, CopyTestSupport.metric("full", "segments-read-total"), 0.0);
        assertTrue(CopyTestSupport.metric("full", "bytes-fetched-total") > 0);
        assertEquals(PARTITIONS, CopyTestSupport.metric("full", "partitions-done"), 0.0);
        assertEquals(0, CopyTestSupport.metric("full", "records-lag"), 0.0);
        connect.deleteConnector("full");
    }

    @Test
    void anOffsetWindowGivesExactlyTheRecordsInsideIt() throws Exception {
        KafkaTopics.create(connect.kafka(), "orders.offsets", PARTITIONS);
        Map<String, String> c = config(ORDERS, "${topic}.offsets");
        c.put("replay.start.offset", "500");
        c.put("replay.end.offset", "2300"); // segment boundaries at 700, 1400, 2100; partition 1's gap inside
        connect.configureConnector("offsets", c);
        Map<Integer, List<ArchivedRecord>> expected = new TreeMap<>();
        orders.forEach((p, records) -> expected.put(p, records.stream()
                .filter(r -> r.offset() >= 500 && r.offset() < 2300).toList()));
        assertReplayed("orders.offsets", expected);
        connect.deleteConnector("offsets");
    }

    @Test
    void aTimeWindowGivesExactlyTheRecordsInsideIt() throws Exception {
        KafkaTopics.create(connect.kafka(), "orders.times", PARTITIONS);
        long start = t0 + 7_000;
        long end = t0 + 21_000;
        Map<String, String> c = config(ORDERS, "${topic}.times");
        c.put("replay.start.time", Instant.ofEpochMilli(start).toString());
        c.put("replay.end.time", Long.toString(end));
        connect.configureConnector("times", c);
        Map<Integer, List<ArchivedRecord>> expected = new TreeMap<>();
        orders.forEach((p, records) -> expected.put(p, timeWindow(records, start, end)));
        assertTrue(expected.values().stream().allMatch(l -> l.size() > 1000), "the window spans segments");
        assertReplayed("orders.times", expected);
        connect.deleteConnector("times");
    }

    /** Kafka's offsets-for-times: from the first record at or after start to the first after it at or after end. */
    private static List<ArchivedRecord> timeWindow(List<ArchivedRecord> records, long start, long end) {
        int from = 0;
        while (from < records.size() && records.get(from).timestamp() < start) {
            from++;
        }
        int to = from;
        while (to < records.size() && records.get(to).timestamp() < end) {
            to++;
        }
        return records.subList(from, to);
    }

    @Test
    void keyPartitioningSpreadsByKeyIntoAnyPartitionCount() throws Exception {
        KafkaTopics.create(connect.kafka(), "orders.bykey", 3);
        Map<String, String> c = config(ORDERS, "${topic}.bykey");
        c.put("replay.partitioning", "key");
        c.remove("kafka.bootstrap.servers");
        connect.configureConnector("bykey", c);
        int total = expectedCount(orders);
        awaitRecords(connect, "orders.bykey", 3, total, WAIT);
        Map<String, List<String>> byKeyExpected = new HashMap<>();
        orders.values().forEach(l -> l.stream().filter(r -> r.key() != null).forEach(r -> byKeyExpected
                .computeIfAbsent(new String(r.key()), k -> new ArrayList<>())
                .add(fingerprint(r.value(), r.timestamp()))));
        Map<String, List<String>> byKeyActual = new HashMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        int records = 0;
        for (List<ConsumerRecord<byte[], byte[]>> l : readAll(connect, "orders.bykey", 3).values()) {
            for (ConsumerRecord<byte[], byte[]> r : l) {
                records++;
                if (r.key() != null) {
                    String key = new String(r.key());
                    assertEquals(partitionOfKey.computeIfAbsent(key, k -> r.partition()), r.partition(),
                            "every record of key " + key + " in one partition");
                    byKeyActual.computeIfAbsent(key, k -> new ArrayList<>()).add(fingerprint(r.value(), r.timestamp()));
                }
            }
        }
        assertEquals(total, records);
        assertEquals(byKeyExpected, byKeyActual, "each key's records, in their archived order");
        assertTrue(partitionOfKey.values().stream().distinct().count() > 1, "keys spread over partitions");
        connect.deleteConnector("bykey");
    }

    private static String fingerprint(byte[] value, long timestamp) {
        return java.util.Arrays.hashCode(value) + "@" + timestamp;
    }

    @Test
    void aTargetWithFewerPartitionsIsRefusedWithWhatToDo() throws Exception {
        KafkaTopics.create(connect.kafka(), "orders.small", 2);
        connect.configureConnector("small", config(ORDERS, "${topic}.small"));
        String trace = awaitFailure(connect, "small");
        assertTrue(trace.contains("Target topic 'orders.small' has 2 partitions, but archived topic 'orders' has 4")
                && trace.contains("replay.partitioning=key"), trace);
        assertEquals(0, ReplayItSupport.endOffsetSum(connect, "orders.small", 2));
        connect.deleteConnector("small");
    }

    @Test
    void aMissingTargetWithoutTopicCreationIsRefusedWithWhatToDo() throws Exception {
        connect.configureConnector("nocreate", config(ORDERS, "${topic}.nocreate"));
        String trace = awaitFailure(connect, "nocreate");
        assertTrue(trace.contains("Target topic 'orders.nocreate' does not exist. Create it with at least 4 "
                + "partitions") && trace.contains("topic.creation.default.replication.factor"), trace);
        connect.deleteConnector("nocreate");
    }

    @Test
    void aMissingBucketFailsNamingIt() throws Exception {
        Map<String, String> c = config(ORDERS, "${topic}.nobucket");
        c.put("s3.bucket", "no-such-bucket");
        connect.configureConnector("nobucket", c);
        String trace = awaitFailure(connect, "nobucket");
        assertTrue(trace.contains("S3 bucket 'no-such-bucket' does not exist"), trace);
        connect.deleteConnector("nobucket");
    }

    @Test
    void aTopicNotInTheArchiveFailsNamingWhereItWasLookedFor() throws Exception {
        connect.configureConnector("ghost", config("small,ghost", "${topic}.ghost"));
        String trace = awaitFailure(connect, "ghost");
        assertTrue(trace.contains("Topic 'ghost' is not in the archive: there is no partition folder under "
                + "s3://" + BUCKET + "/" + PREFIX + "/ghost/"), trace);
        connect.deleteConnector("ghost");

        KafkaTopics.create(connect.kafka(), "small.tolerant", 1);
        Map<String, String> tolerant = config("small,ghost", "${topic}.tolerant");
        tolerant.put("errors.tolerance", "all");
        connect.configureConnector("ghost-tolerant", tolerant);
        awaitRecords(connect, "small.tolerant", 1, 300, WAIT);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("ghost-tolerant", 1,
                "the archived topic is replayed, the missing one left out");
        connect.deleteConnector("ghost-tolerant");
    }

    @Test
    void followModeRidesOutAnS3OutageAndPicksUpNewSegments() throws Exception {
        KafkaTopics.create(connect.kafka(), "live.copy", 1);
        Map<String, String> c = config("live", "${topic}.copy");
        c.put("replay.follow", "true");
        c.put("replay.follow.interval.ms", "300");
        connect.configureConnector("follow", c);
        awaitRecords(connect, "live.copy", 1, 100, WAIT);

        s3.stop();
        Thread.sleep(4_000); // the partition and the connector look again, and fail, several times
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("follow", 1,
                "an unreachable store is retried, not fatal");
        s3.start();
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            TestArchives.archive(store, tempDir.resolve("local"), "live", 0, live(100, 250), 100);
        }
        awaitRecords(connect, "live.copy", 1, 250, WAIT);
        Thread.sleep(1_000);
        assertSameRecords("live.copy", live(0, 250), readAll(connect, "live.copy", 1).get(0));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("follow", 1, "still following");
        connect.deleteConnector("follow");
    }

    /** Corrupts the ledger archive, which no other test reads. */
    @Test
    void aCorruptSegmentFailsTheTaskNamingTheObjectOrIsSkippedWithoutWrongData() throws Exception {
        SegmentMetadata middle = ledgerSegments.get(1);
        String key = PREFIX + "/ledger/0/" + String.format("%020d", middle.baseOffset()) + "-" + TestArchives.WRITER
                + ".log";
        Path object = s3.bucketDir(BUCKET).resolve(key);
        assertTrue(Files.isRegularFile(object), object + " is where S3Proxy keeps the object");
        try (RandomAccessFile f = new RandomAccessFile(object.toFile(), "rw")) {
            f.seek(70); // inside the first batch: its CRC no longer matches
            int b = f.read();
            f.seek(70);
            f.write(b ^ 0x5a);
        }
        List<ArchivedRecord> all = ledger.get(0);
        KafkaTopics.create(connect.kafka(), "ledger.strict", 1);
        connect.configureConnector("strict", config("ledger", "${topic}.strict"));
        String trace = awaitFailure(connect, "strict");
        assertTrue(trace.startsWith("task 0") && trace.contains(key) && trace.contains("at offset 500"), trace);
        awaitRecords(connect, "ledger.strict", 1, 500, WAIT);
        assertSameRecords("ledger.strict", all.subList(0, 500), readAll(connect, "ledger.strict", 1).get(0));
        connect.deleteConnector("strict");

        KafkaTopics.create(connect.kafka(), "ledger.skip", 1);
        Map<String, String> skip = config("ledger", "${topic}.skip");
        skip.put("errors.tolerance", "all");
        connect.configureConnector("skip", skip);
        List<ArchivedRecord> expected = concat(all.subList(0, 500), all.subList(1000, 1500));
        awaitRecords(connect, "ledger.skip", 1, expected.size(), WAIT);
        Thread.sleep(2000);
        assertSameRecords("ledger.skip", expected, readAll(connect, "ledger.skip", 1).get(0));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("skip", 1, "skipping keeps the task up");
        assertEquals(1, CopyTestSupport.metric("skip", "segments-skipped-total"), 0.0);
        connect.deleteConnector("skip");
    }
}
