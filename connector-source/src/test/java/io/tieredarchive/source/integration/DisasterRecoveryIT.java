package io.tieredarchive.source.integration;

import io.tieredarchive.testing.SingleBroker;
import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.cli.TieredArchiveCli;
import io.tieredarchive.dr.ArchiveSnapshots;
import io.tieredarchive.dr.GroupOffsetsSnapshot;
import io.tieredarchive.dr.OffsetSync;
import io.tieredarchive.dr.OffsetSyncs;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.testing.ThrottledTcpRelay;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.tieredarchive.source.integration.DrFixture.assertSameRecords;
import static io.tieredarchive.source.integration.DrFixture.from;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster restored from its archive onto another, on two real Kafka clusters: the source cluster (a broker of its
 * own) is archived by the sink, with its consumer groups and topic configs; the target cluster is the Connect
 * worker's, where the archive is replayed with exactly-once and the worker is replaced mid-way. Then the groups are
 * translated ({@code tiered-archive groups}, and {@code POST /tiered-archive/groups}) and applied, and a consumer of
 * each group on the target reads exactly what it had not read on the source.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisasterRecoveryIT {

    private static final Logger log = LoggerFactory.getLogger(DisasterRecoveryIT.class);
    private static final String BUCKET = "dr-archive";
    private static final String PLAIN = "orders";
    private static final String COMPACTED = "accounts";
    private static final int PARTITIONS = 3;
    private static final Map<String, String> PLAIN_CONFIGS = Map.of("retention.ms", "1209600000",
            "max.message.bytes", "2000000", "message.timestamp.type", "CreateTime");

    @TempDir
    static Path tempDir;
    private S3ProxyServer s3;
    private EmbeddedKafkaCluster source;
    private EmbeddedConnectCluster connect;

    @BeforeAll
    void setUp() {
        s3 = S3ProxyServer.startIn(tempDir);
        S3TestConnections.create(s3, BUCKET);
        source = SingleBroker.start(Map.of("log.cleaner.backoff.ms", "500"));
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", "enabled");
        worker.put("producer.transaction.timeout.ms", "10000");
        worker.put("task.shutdown.graceful.timeout.ms", "1");
        worker.put("rebalance.timeout.ms", "15000");
        worker.put("connector.client.config.override.policy", "All");
        worker.put("rest.extension.classes", "io.tieredarchive.rest.TieredArchiveRestExtension");
        connect = InProcessConnect.named("dr-it").byteArrayConverters().workerProps(worker).start();
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), Closing.stopping(source), s3);
    }

    @Test
    void consumerGroupsResumeExactlyOnTheNewClusterAndTopicsComeBackAsConfigured() throws Exception {
        KafkaTopics.create(source, PLAIN, PARTITIONS, PLAIN_CONFIGS);
        KafkaTopics.create(source, COMPACTED, PARTITIONS, DrFixture.FAST_COMPACTION);
        ArchiveFixture.produce(source, PLAIN, PARTITIONS, 600, 41);
        DrFixture.produceInRounds(source, COMPACTED, PARTITIONS, 240, 6);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> plain = ArchiveFixture.consumeAll(source, PLAIN);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> compacted = DrFixture.awaitCompacted(source, COMPACTED,
                PARTITIONS);
        Map<String, Map<Integer, List<ConsumerRecord<byte[], byte[]>>>> held = Map.of(PLAIN, plain,
                COMPACTED, compacted);

        Map<TopicPartition, Long> half = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            half.put(new TopicPartition(PLAIN, p), 250L + 40 * p);
            List<ConsumerRecord<byte[], byte[]>> c = compacted.get(p);
            half.put(new TopicPartition(COMPACTED, p), p == 0 ? c.get(c.size() / 2).offset() // on a record
                    : DrFixture.gapOffset(c));                                             // in a compaction gap
            end.put(new TopicPartition(PLAIN, p), source.endOffset(new TopicPartition(PLAIN, p)));
            end.put(new TopicPartition(COMPACTED, p), source.endOffset(new TopicPartition(COMPACTED, p)));
        }
        try (Admin admin = source.createAdminClient()) {
            DrFixture.commit(admin, "g-half", half, "half-way");
            DrFixture.commit(admin, "g-end", end, "");
            DrFixture.commit(admin, "other-app", Map.of(new TopicPartition(PLAIN, 0), 100L), "");
        }
        log.info("Source groups: g-half {}, g-end {}", half, end);

        archive(List.of(PLAIN, COMPACTED), held, Map.of("g-half", half, "g-end", end));
        replayWithARestart(held);

        Admin target = connect.kafka().createAdminClient();
        try (target; Admin sourceAdmin = source.createAdminClient()) {
            for (String topic : List.of(PLAIN, COMPACTED)) {
                assertEquals(DrFixture.topicConfigs(sourceAdmin, topic), DrFixture.topicConfigs(target, topic),
                        topic + ": the target topic's configs are the source's");
                assertEquals(PARTITIONS, target.describeTopics(List.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic).partitions().size());
            }
            DrFixture.commit(target, "other-app", Map.of(new TopicPartition(PLAIN, 1), 42L), "set on the target");
            Path config = replayProperties();
            int lost = loseSyncs(new TopicPartition(PLAIN, 0), half.get(new TopicPartition(PLAIN, 0)))
                    + loseSyncs(new TopicPartition(PLAIN, 2), Long.MAX_VALUE);

            CliRun dryRun = cli("groups", "-c", config.toString(), "--group", "g-.*");
            log.info("tiered-archive groups --group 'g-.*' (dry run):\n{}", dryRun.out);
            assertEquals(0, dryRun.code, dryRun.toString());
            assertTrue(dryRun.out.contains("# dry run"), dryRun.out);
            assertTrue(lost >= 2 && dryRun.out.lines().filter(l -> l.contains("recovered")).count() >= 2,
                    "the offsets whose syncs were lost are recovered from the target's records:\n" + dryRun.out);
            assertEquals(Map.of(), DrFixture.committed(target, "g-half"), "a dry run commits nothing");
            assertRestPlanAgrees(dryRun.out);

            try (KafkaConsumer<byte[], byte[]> running = activeMember("g-half")) {
                CliRun refused = cli("groups", "-c", config.toString(), "--apply");
                assertEquals(1, refused.code, refused.toString());
                assertTrue(refused.err.contains("g-half") && refused.err.contains("active"), refused.err);
                RestAnswer conflict = restGroups("{\"connector\": \"dr-replay\", \"apply\": true}");
                assertEquals(409, conflict.status, conflict.body);
                assertTrue(conflict.body.contains("g-half"), conflict.body);
                assertEquals(Map.of(), DrFixture.committed(target, "g-end"), "nothing applied while one is active");
            }
            CliRun applied = cli("groups", "-c", config.toString(), "--apply");
            log.info("tiered-archive groups --apply:\n{}", applied.out);
            assertEquals(0, applied.code, applied.toString());
            assertTrue(applied.out.contains("# applied: [g-end, g-half]"), applied.out);

            assertEquals(Map.of(new TopicPartition(PLAIN, 1), 42L), DrFixture.committed(target, "other-app"),
                    "a group outside archive.groups.regex is untouched");
        }
        assertGroupReadsWhatItHadNotRead("g-half", half, held, "none");
        assertGroupReadsWhatItHadNotRead("g-end", end, held, "none");
        Map<TopicPartition, Long> nothingRead = new HashMap<>();
        half.keySet().forEach(tp -> nothingRead.put(tp, 0L));
        assertGroupReadsWhatItHadNotRead("g-none", nothingRead, held, "earliest"); // never committed: its reset
    }

    /**
     * Schema Registry's {@code _schemas}: compacted (offset gaps), tombstones of deleted subjects, a single partition.
     * Archived, then replayed into the new cluster, where the topic must not exist yet (the registry has not started
     * there): the replay creates it as it was configured, and it holds byte for byte what the source held, in order,
     * so a registry started on it reads every schema under its original id.
     */
    @Test
    void aSchemasTopicReplaysByteForByteIntoANewClusterBeforeTheRegistryStarts() throws Exception {
        String topic = "_schemas";
        KafkaTopics.create(source, topic, 1, DrFixture.FAST_COMPACTION);
        DrFixture.produceInRounds(source, topic, 1, 90, 5);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> held = DrFixture.awaitCompacted(source, topic, 1);
        assertTrue(held.get(0).stream().anyMatch(r -> r.value() == null), "tombstones are part of the test");
        archive(List.of(topic), Map.of(topic, held), Map.of());
        try (Admin target = connect.kafka().createAdminClient(); Admin sourceAdmin = source.createAdminClient()) {
            assertTrue(!target.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic),
                    "the new cluster has no " + topic + " yet");
            Map<String, String> replay = replayConfig();
            replay.put("replay.topics", topic);
            replay.put("exactly.once.support", "required");
            connect.configureConnector("schemas-replay", replay);
            ReplayItSupport.awaitRecords(connect, topic, 1, held.get(0).size(), Duration.ofSeconds(120));
            assertSameRecords(topic + " on the new cluster", held.get(0),
                    ReplayItSupport.readAll(connect.kafka(), topic, 1).get(0));
            Map<String, String> configs = DrFixture.topicConfigs(target, topic);
            assertEquals(DrFixture.topicConfigs(sourceAdmin, topic), configs);
            assertEquals("compact", configs.get("cleanup.policy"));
            TestUtils.waitForCondition(() -> syncedRecords(topic) == held.get(0).size(), 30_000,
                    "the offset syncs of an uninterrupted replay cover every record once");
        } finally {
            connect.deleteConnector("schemas-replay");
        }
    }

    private long syncedRecords(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(Map.of())) {
            return OffsetSyncs.read(consumer, OffsetSyncs.DEFAULT_TOPIC, s -> s.topic().equals(topic)).values()
                    .stream().flatMap(List::stream).mapToLong(OffsetSync::count).sum();
        }
    }

    /**
     * Removes (tombstones) the offset syncs of {@code tp} around original offset {@code at} (the last two for
     * {@link Long#MAX_VALUE}), as if the task that wrote those records died before writing their syncs. At least one
     * run is kept: a partition without any sync is not translated.
     *
     * @return how many runs were removed
     */
    private int loseSyncs(TopicPartition tp, long at) throws Exception {
        List<OffsetSync> runs;
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(Map.of())) {
            runs = OffsetSyncs.read(consumer, OffsetSyncs.DEFAULT_TOPIC, s -> s.topic().equals(tp.topic())
                    && s.partition() == tp.partition()).values().stream().flatMap(List::stream)
                    .sorted(java.util.Comparator.comparingLong(OffsetSync::originalFirst)).toList();
        }
        List<OffsetSync> lose = new java.util.ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            OffsetSync r = runs.get(i);
            boolean last = i == runs.size() - 1;
            if ((at == Long.MAX_VALUE && i >= runs.size() - 2 && i > 0) || (at != Long.MAX_VALUE && !last
                    && r.originalFirst() <= at + 30 && r.originalLast() >= at - 30)) {
                lose.add(r);
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
            for (OffsetSync r : lose) {
                producer.send(new ProducerRecord<>(OffsetSyncs.DEFAULT_TOPIC, r.key(), null)).get();
            }
        }
        log.info("Removed the offset syncs {}", lose);
        return lose.size();
    }

    /** Archives the topics with group snapshots, and waits for every record, the snapshot and the configs. */
    private void archive(List<String> topics, Map<String, Map<Integer, List<ConsumerRecord<byte[], byte[]>>>> held,
                         Map<String, Map<TopicPartition, Long>> groups) throws Exception {
        Map<String, String> sink = ArchiveFixture.connectorConfig(source.bootstrapServers(),
                tempDir.resolve("local-" + topics.get(0)), String.join(",", topics), 2, s3);
        sink.put("s3.bucket", BUCKET);
        sink.put("consumer.override.bootstrap.servers", source.bootstrapServers());
        sink.put("segment.ms", "1000");
        sink.put("archive.groups.regex", "g-.*");
        sink.put("archive.groups.interval.ms", "1000");
        connect.configureConnector("dr-archive", sink);
        try (RemoteSegmentStore store = store()) {
            for (String topic : topics) {
                DrFixture.awaitArchived(store, topic, held.get(topic));
            }
            ArchiveSnapshots snapshots = new ArchiveSnapshots(store);
            for (String topic : topics) {
                var incarnation = store.catalog().resolve(topic, 0, IncarnationSelection.LATEST_ONE).incarnation();
                TestUtils.waitForCondition(() -> snapshots.configAt(topic, incarnation, Long.MAX_VALUE / 2)
                        .isPresent(), 60_000, "no config snapshot of " + topic);
                if (!groups.isEmpty()) {
                    TestUtils.waitForCondition(() -> snapshotHolds(snapshots.groupsAt(topic, incarnation,
                            Long.MAX_VALUE / 2).orElse(null), topic, groups), 60_000, "no group snapshot of " + topic);
                }
            }
        } finally {
            connect.deleteConnector("dr-archive");
        }
    }

    private static boolean snapshotHolds(GroupOffsetsSnapshot s, String topic,
                                         Map<String, Map<TopicPartition, Long>> groups) {
        if (s == null || s.groups().containsKey("other-app")) {
            return false;
        }
        for (Map.Entry<String, Map<TopicPartition, Long>> g : groups.entrySet()) {
            Map<Integer, Long> expected = new TreeMap<>();
            g.getValue().forEach((tp, o) -> {
                if (tp.topic().equals(topic)) {
                    expected.put(tp.partition(), o);
                }
            });
            Map<Integer, Long> actual = new TreeMap<>();
            s.groups().getOrDefault(g.getKey(), new TreeMap<>()).forEach((p, c) -> actual.put(p, c.offset()));
            if (!expected.equals(actual)) {
                return false;
            }
        }
        return true;
    }

    /** Replays into the target with exactly-once, through a slow link to S3, replacing the worker mid-way. */
    private void replayWithARestart(Map<String, Map<Integer, List<ConsumerRecord<byte[], byte[]>>>> held)
            throws Exception {
        long total = held.values().stream().flatMap(m -> m.values().stream()).mapToLong(List::size).sum();
        try (ThrottledTcpRelay slow = new ThrottledTcpRelay(s3.port(), 24 * 1024)) {
            Map<String, String> replay = replayConfig();
            replay.put("s3.endpoint", slow.endpoint());
            replay.put("exactly.once.support", "required");
            replay.put("transaction.boundary", "poll");
            replay.put("replay.batch.records", "40");
            connect.configureConnector("dr-replay", replay);
            long written = awaitTargetEnd(total / 4);
            assertTrue(written < total, "the replay finished before the restart");
            log.info("Replacing the worker with {} of {} records written", written, total);
            connect.removeWorker();
            connect.addWorker();
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("dr-replay", 2, "replay did not resume");
            for (String topic : held.keySet()) {
                long count = held.get(topic).values().stream().mapToLong(List::size).sum();
                ReplayItSupport.awaitRecords(connect, topic, PARTITIONS, count, Duration.ofSeconds(180));
            }
            replay.put("s3.endpoint", s3.endpoint()); // the relay closes; the replay is done
            connect.configureConnector("dr-replay", replay);
        }
    }

    private long awaitTargetEnd(long atLeast) throws InterruptedException {
        long[] seen = {0};
        TestUtils.waitForCondition(() -> {
            long sum = 0;
            for (String topic : List.of(PLAIN, COMPACTED)) {
                try {
                    sum += ReplayItSupport.endOffsetSum(connect, topic, PARTITIONS);
                } catch (Exception notYet) {
                    return false;
                }
            }
            seen[0] = sum;
            return sum >= atLeast;
        }, 120_000, 5, () -> "only " + seen[0] + " offsets written, waiting for " + atLeast);
        return seen[0];
    }

    private Map<String, String> replayConfig() {
        Map<String, String> c = ConnectorConfigs.byteReplay(2);
        c.putAll(S3TestConnections.connectorKeys("", s3, BUCKET, ""));
        c.put("replay.topics", PLAIN + "," + COMPACTED);
        c.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "-1");
        return c;
    }

    /** The replay connector's config as a properties file, as an operator passes it to the CLI. */
    private Path replayProperties() throws Exception {
        Properties p = new Properties();
        p.putAll(replayConfig());
        Path file = tempDir.resolve("dr-replay.properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "the replay connector's config");
        }
        return file;
    }

    private RemoteSegmentStore store() {
        return RemoteSegmentStore.create(S3TestConnections.create(s3, BUCKET));
    }

    /** A consumer of {@code group} with its partitions assigned: an active member. */
    private KafkaConsumer<byte[], byte[]> activeMember(String group) {
        KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        consumer.subscribe(List.of(PLAIN));
        long deadline = System.currentTimeMillis() + 60_000;
        while (consumer.assignment().isEmpty()) {
            assertTrue(System.currentTimeMillis() < deadline, group + " never joined");
            consumer.poll(Duration.ofMillis(200));
        }
        return consumer;
    }

    private void assertGroupReadsWhatItHadNotRead(String group, Map<TopicPartition, Long> committed,
                                                  Map<String, Map<Integer, List<ConsumerRecord<byte[], byte[]>>>> held,
                                                  String autoOffsetReset) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read = DrFixture.readAsGroup(connect.kafka(),
                group, List.of(PLAIN, COMPACTED), PARTITIONS, autoOffsetReset);
        long total = 0;
        for (Map.Entry<TopicPartition, Long> c : committed.entrySet()) {
            TopicPartition tp = c.getKey();
            List<ConsumerRecord<byte[], byte[]>> expected = from(held.get(tp.topic()).get(tp.partition()),
                    c.getValue());
            assertSameRecords(group + " on " + tp + " (committed " + c.getValue() + " on the source)", expected,
                    read.getOrDefault(tp, List.of()));
            total += expected.size();
        }
        log.info("{} read {} records on the target: exactly those it had not read on the source", group, total);
    }

    private void assertRestPlanAgrees(String cliPlan) throws Exception {
        RestAnswer plan = restGroups("{\"connector\": \"dr-replay\", \"group\": \"g-.*\"}");
        assertEquals(200, plan.status, plan.body);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(plan.body);
        int offsets = 0;
        for (var g : json.get("groups")) {
            assertTrue(g.get("exact").asBoolean(), g.toString());
            for (var o : g.get("offsets")) {
                String line = g.get("group").asText() + "\t" + o.get("topic").asText() + "\t"
                        + o.get("partition").asInt() + "\t" + o.get("committed").asLong() + "\t"
                        + o.get("targetTopic").asText() + "-" + o.get("targetPartition").asInt() + "\t"
                        + o.get("targetOffset").asLong() + "\texact";
                assertTrue(cliPlan.contains(line), "the CLI's plan has " + line + ":\n" + cliPlan);
                offsets++;
            }
        }
        assertEquals(4 * PARTITIONS, offsets, "g-half and g-end, on 2 topics of " + PARTITIONS + " partitions");
        RestAnswer bad = restGroups("{\"connector\": \"dr-replay\", \"group\": \"(\"}");
        assertEquals(400, bad.status, bad.body);
        assertEquals(404, restGroups("{\"connector\": \"nope\"}").status);
    }

    private record RestAnswer(int status, String body) {
    }

    private RestAnswer restGroups(String body) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        connect.endpointForResource("tiered-archive/groups")))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        var response = java.net.http.HttpClient.newHttpClient().send(request,
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new RestAnswer(response.statusCode(), response.body());
    }

    private record CliRun(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n" + out + "\n" + err;
        }
    }

    private static CliRun cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TieredArchiveCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
