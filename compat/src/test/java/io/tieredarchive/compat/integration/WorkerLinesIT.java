package io.tieredarchive.compat.integration;

import io.tieredarchive.testing.SingleBroker;
import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.compat.CompatMatrix;
import io.tieredarchive.compat.PluginPackage;
import io.tieredarchive.compat.WorkerJars;
import io.tieredarchive.compat.WorkerMetrics;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.source.integration.ReplayItSupport;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.ConnectWorkerProcess;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin package, unzipped into {@code plugin.path} as a user installs it, on real Connect workers of each
 * Kafka line: a child JVM per version, from that version's jars on Maven Central ({@link WorkerJars}), against a
 * broker and S3Proxy of this build. On each it archives a topic (sink, tier to S3 until no local segment is left),
 * replays it with exactly-once source support into another topic and compares the two record by record, copies the
 * archive's prefix to another bucket, and checks what depends on the worker's version: the REST extension (on 4.0+;
 * off, saying why, before) and the metrics (Connect's plugin metrics on 4.1+, the plugin's own MBeans of the same
 * names before). The worker's own producers compress with zstd and lz4 while the plugin uses its own copies of those
 * codec libraries, so both load their native code in one JVM. Versions: {@code -Dcompat.workers} (the oldest line by
 * default, every line with {@code -Pcompat}); each outcome is written to {@code compat/target/compat-matrix.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerLinesIT {

    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 1500;
    private static final int RECORDS = PARTITIONS * PER_PARTITION;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String COPY_BUCKET = "copy";

    @TempDir
    static Path tmp;
    private EmbeddedKafkaCluster kafka;
    private S3ProxyServer s3;
    private Path pluginPath;

    @BeforeAll
    void startBrokerAndS3() {
        s3 = ArchiveFixture.startS3(tmp);
        S3TestConnections.create(s3, COPY_BUCKET);
        kafka = SingleBroker.start(Map.of());
        pluginPath = tmp.resolve("plugins");
        PluginPackage.installInto(pluginPath);
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(Closing.stopping(kafka), s3);
    }

    Stream<String> versions() {
        return WorkerJars.versions().stream();
    }

    @ParameterizedTest(name = "Connect {0}")
    @MethodSource("versions")
    void archiveTierReplayAndCopyOnAWorkerOf(String version) throws Exception {
        String id = "v" + version.replace('.', '-');
        CompatMatrix.Row row = new CompatMatrix.Row(version);
        try (ConnectWorkerProcess worker = startWorker(version, id)) {
            assertPluginsFound(worker);
            String topic = "orders-" + id;
            KafkaTopics.create(kafka, topic, PARTITIONS, Map.of());
            ArchiveFixture.produce(kafka, topic, PARTITIONS, PER_PARTITION, 7);
            S3Connection archive = S3TestConnections.withPrefix(S3TestConnections.create(s3, ArchiveFixture.BUCKET),
                    id);

            archiveAndTier(worker, id, topic, archive);
            row.passed("sink, tier");
            replayAndCompare(worker, id, topic, archive);
            row.passed("replay (exactly once)");
            copy(worker, id, archive);
            row.passed("bucket copy");
            row.passed(checkRestExtension(worker, version));
            row.passed(checkMetrics(worker, version, "archive-" + id));
        } catch (Throwable e) {
            row.failed(e);
            throw e;
        } finally {
            CompatMatrix.record(row);
        }
    }

    private ConnectWorkerProcess startWorker(String version, String id) throws Exception {
        Path workDir = Files.createDirectories(tmp.resolve("worker-" + id));
        Map<String, String> props = new HashMap<>();
        props.put("plugin.path", pluginPath.toString());
        props.put("rest.extension.classes", "io.tieredarchive.rest.TieredArchiveRestExtension");
        props.put("exactly.once.source.support", "enabled");
        // The worker's own producers compress with its codec libraries, in the app class loader.
        props.put("producer.compression.type", "zstd");
        return ConnectWorkerProcess.start(workDir, WorkerJars.classPath(version), logging(workDir),
                kafka.bootstrapServers(), "compat-" + id, props);
    }

    /** Kafka 3.x logs through reload4j, 4.x through log4j 2: a config for each, the worker reads its own. */
    private static List<String> logging(Path workDir) throws Exception {
        Path reload4j = workDir.resolve("log4j.properties");
        Files.writeString(reload4j, String.join("\n", "log4j.rootLogger=INFO, stdout",
                "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
                "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
                "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n", ""));
        Path log4j2 = workDir.resolve("log4j2.properties");
        Files.writeString(log4j2, String.join("\n", "appender.stdout.type=Console", "appender.stdout.name=stdout",
                "appender.stdout.layout.type=PatternLayout", "appender.stdout.layout.pattern=[%d] %p %m (%c)%n",
                "rootLogger.level=INFO", "rootLogger.appenderRef.stdout.ref=stdout", ""));
        return List.of("-Dlog4j.configuration=" + reload4j.toUri(), "-Dlog4j2.configurationFile=" + log4j2);
    }

    private static void assertPluginsFound(ConnectWorkerProcess worker) {
        String plugins = worker.get("/connector-plugins").toString();
        for (String plugin : List.of("io.tieredarchive.sink.ArchiveSinkConnector",
                "io.tieredarchive.source.ArchiveReplaySourceConnector",
                "io.tieredarchive.source.BucketCopySourceConnector")) {
            assertTrue(plugins.contains(plugin), plugin + " not among " + plugins + "; see " + worker.logFile());
        }
    }

    private void archiveAndTier(ConnectWorkerProcess worker, String id, String topic, S3Connection archive)
            throws Exception {
        Path localDir = tmp.resolve("archive-" + id);
        Map<String, String> sink = ArchiveFixture.connectorConfig(kafka.bootstrapServers(), localDir, topic, 2, s3);
        sink.put("s3.prefix", id);
        sink.put("local.retention.ms", "0");
        worker.putConnector("archive-" + id, sink);
        worker.awaitRunning("archive-" + id, 2, Duration.ofSeconds(90));
        try (RemoteSegmentStore store = RemoteSegmentStore.create(archive)) {
            await(worker, "every record in S3 and no local segment left", () -> inS3AndFreed(store, localDir, topic));
        }
    }

    /**
     * Whether the sealed segments in S3 (by their markers, as every reader sees them) hold every record, and the
     * local tier has freed every segment. More than every record would be a duplicate: that fails at once.
     */
    private static boolean inS3AndFreed(RemoteSegmentStore store, Path localDir, String topic) throws Exception {
        if (store.catalog().incarnations(topic).isEmpty()) {
            return false; // nothing uploaded yet
        }
        long inS3 = 0;
        boolean localLeft = false;
        for (int p = 0; p < PARTITIONS; p++) {
            ArchivePartition partition = store.catalog().resolve(topic, p, IncarnationSelection.LATEST_ONE);
            for (SegmentMetadata segment : store.view(partition).segments()) {
                inS3 += segment.recordCount();
            }
            localLeft |= !SegmentFiles.list(ArchiveFixture.partitionDir(localDir, topic, p)).isEmpty();
        }
        assertTrue(inS3 <= RECORDS, "records in S3: " + inS3 + " of " + RECORDS + ", some twice");
        return inS3 == RECORDS && !localLeft;
    }

    private void replayAndCompare(ConnectWorkerProcess worker, String id, String topic, S3Connection archive)
            throws Exception {
        Map<String, String> replay = s3Keys("", archive);
        replay.put("connector.class", "io.tieredarchive.source.ArchiveReplaySourceConnector");
        replay.put("tasks.max", "2");
        replay.put("replay.topics", topic);
        replay.put("replay.topic.format", "${topic}.restored");
        replay.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        replay.put("exactly.once.support", "required");
        replay.put("topic.creation.default.replication.factor", "1");
        replay.put("topic.creation.default.partitions", Integer.toString(PARTITIONS));
        worker.putConnector("replay-" + id, replay);
        worker.awaitRunning("replay-" + id, 2, Duration.ofSeconds(90));
        String restored = topic + ".restored";
        await(worker, "every record replayed", () -> count(restored) >= RECORDS);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> original = ReplayItSupport.readAll(kafka, topic, PARTITIONS);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> copy = ReplayItSupport.readAll(kafka, restored, PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(original.get(p).size(), copy.get(p).size(), "records in partition " + p);
            for (int i = 0; i < original.get(p).size(); i++) {
                assertSameRecord(original.get(p).get(i), copy.get(p).get(i));
            }
        }
    }

    /** Records a read_committed consumer sees in {@code topic}; 0 while it does not exist. */
    private long count(String topic) {
        if (kafka.describeTopics(topic).get(topic).isEmpty()) {
            return 0;
        }
        return ReplayItSupport.readAll(kafka, topic, PARTITIONS).values().stream().mapToLong(List::size).sum();
    }

    private static void assertSameRecord(ConsumerRecord<byte[], byte[]> expected,
                                         ConsumerRecord<byte[], byte[]> actual) {
        String where = "offset " + expected.offset() + " of partition " + expected.partition();
        assertArrayEquals(expected.key(), actual.key(), "key at " + where);
        assertArrayEquals(expected.value(), actual.value(), "value at " + where);
        assertEquals(expected.timestamp(), actual.timestamp(), "timestamp at " + where);
        Header[] want = expected.headers().toArray();
        Header[] got = actual.headers().toArray();
        assertEquals(want.length, got.length, "headers at " + where);
        for (int h = 0; h < want.length; h++) {
            assertEquals(want[h].key(), got[h].key(), "header key at " + where);
            assertArrayEquals(want[h].value(), got[h].value(), "header value at " + where);
        }
    }

    /** A short bucket copy: the archive's prefix to another bucket, then the same objects, byte counts and ETags. */
    private void copy(ConnectWorkerProcess worker, String id, S3Connection archive) throws Exception {
        Map<String, String> copy = ConnectorConfigs.withTopicCreation(
                ConnectorConfigs.bucketCopy("copy-events-" + id, 1));
        copy.putAll(s3Keys("source.", archive));
        copy.putAll(s3Keys("destination.", S3TestConnections.withPrefix(S3TestConnections.create(s3, COPY_BUCKET),
                id)));
        worker.putConnector("copy-" + id, copy);
        worker.awaitRunning("copy-" + id, 1, Duration.ofSeconds(90));
        try (S3AsyncClient client = S3ClientFactory.asyncClient(archive)) {
            Map<String, String> source = objects(client, archive.bucket(), id);
            assertTrue(source.size() > 4 * PARTITIONS, "objects to copy: " + source.keySet());
            await(worker, "every object copied", () -> objects(client, COPY_BUCKET, id).equals(source));
        }
    }

    /** The objects under {@code prefix}: key after the prefix, and size and ETag. */
    private static Map<String, String> objects(S3AsyncClient client, String bucket, String prefix) {
        Map<String, String> objects = new TreeMap<>();
        client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + "/")).contents()
                .subscribe((S3Object o) -> objects.put(o.key().substring(prefix.length()), o.size() + " " + o.eTag()))
                .join();
        return objects;
    }

    /** The connection's keys for a connector config, under {@code prefix} ("" or "source." or "destination."). */
    private static Map<String, String> s3Keys(String prefix, S3Connection c) {
        return S3TestConnections.connectorKeys(prefix, c);
    }

    /** On 4.0+ the endpoints answer; before, the worker runs without them and its log says why. */
    private static String checkRestExtension(ConnectWorkerProcess worker, String version) throws Exception {
        if (WorkerJars.atLeast(version, 4, 0)) {
            String stats = worker.get("/tiered-archive/stats").toString();
            assertTrue(stats.contains("\"tiering\":[{"), stats);
            return "REST extension";
        }
        assertEquals(404, worker.statusOf("/tiered-archive/stats"));
        String log = Files.readString(worker.logFile());
        assertTrue(log.contains("Tiered Archive REST extension is off: this worker's REST server uses javax.ws.rs"),
                "the worker says why the extension is off; see " + worker.logFile());
        return "REST extension off, as logged";
    }

    /**
     * The sink's records-written-total in JMX, under the name Connect's plugin metrics use, on every line; from
     * Connect's plugin metrics on 4.1+, from the plugin's own MBeans before, as the worker's log says.
     */
    private static String checkMetrics(ConnectWorkerProcess worker, String version, String connector)
            throws Exception {
        assertEquals(RECORDS, WorkerMetrics.sum(worker.pid(), connector, "records-written-total"), 0.0);
        String log = Files.readString(worker.logFile());
        boolean plugin = WorkerJars.atLeast(version, 4, 1);
        String said = plugin ? "Connect's plugin metrics (KIP-877)" : "registered as JMX MBeans of the plugin's own";
        assertTrue(log.contains("Metrics of task 0 of " + connector + ": ") && log.contains(said),
                "the log says which metrics the task got (" + said + "); see " + worker.logFile());
        return plugin ? "metrics (plugin metrics)" : "metrics (own MBeans)";
    }

    private static void await(ConnectWorkerProcess worker, String what, Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + WAIT + ": " + what + "; see " + worker.logFile());
            }
            Thread.sleep(500);
        }
    }
}
