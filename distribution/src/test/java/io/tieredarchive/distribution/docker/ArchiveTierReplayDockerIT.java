package io.tieredarchive.distribution.docker;

import io.tieredarchive.testing.RecordAssertions;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.testing.ConnectWorkerProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Archive, tier and replay against containers instead of in-process servers: an Apache Kafka broker
 * ({@code apache/kafka} at the build's Kafka version) and S3 from LocalStack, with the plugin in a real Connect worker
 * (a child JVM, {@link ConnectWorkerProcess}, plugin found on the test classpath). Runs only with {@code -Pdocker};
 * without a Docker engine it is reported as skipped, with the reason. The images can be overridden with
 * {@code -Dkafka.image=...} and {@code -Dlocalstack.image=...}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveTierReplayDockerIT {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 6_000;
    private static final String BUCKET = "archive";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

    @TempDir
    static Path tempDir;
    private KafkaContainer kafka;
    private LocalStackContainer localStack;
    private ConnectWorkerProcess worker;

    private boolean dockerAvailable;

    /** Starts the containers and the worker, once; nothing when there is no Docker engine. */
    @BeforeAll
    void startStack() {
        dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
        if (!dockerAvailable) {
            return;
        }
        kafka = new KafkaContainer(DockerImageName.parse(System.getProperty("kafka.image", "apache/kafka:4.3.1")));
        localStack = new LocalStackContainer(DockerImageName.parse(
                System.getProperty("localstack.image", "localstack/localstack:4.9"))).withServices("s3");
        kafka.start();
        localStack.start();
        worker = ConnectWorkerProcess.start(tempDir.resolve("worker"), kafka.getBootstrapServers(), "docker-it",
                Map.of());
    }

    /**
     * The assumption sits here, not in {@code @BeforeAll}: Surefire reports a class aborted there as "Tests run: 0"
     * and drops the message, whereas a test aborted here is reported as skipped, with the reason.
     */
    @BeforeEach
    void requireDocker() {
        assumeTrue(dockerAvailable, "No Docker engine found: skipping the archive -> tier -> replay test on Kafka "
                + "and LocalStack containers (it needs a running Docker engine)");
    }

    @AfterAll
    void stopStack() throws Exception {
        Closing.closeAll(worker, kafka, localStack);
    }

    @Test
    void archivedTieredAndReplayedTopicEqualsTheOriginalRecordByRecord() throws Exception {
        Map<String, String> s3 = s3Config();
        S3Connection connection = RemoteSegmentStore.connectionOf(s3);
        try (S3AsyncClient client = S3ClientFactory.asyncClient(connection)) {
            client.createBucket(b -> b.bucket(BUCKET)).join();
        }
        produce();

        Path localDir = tempDir.resolve("archive");
        Map<String, String> sink = new HashMap<>(s3);
        sink.putAll(Map.of("connector.class", "io.tieredarchive.sink.ArchiveSinkConnector", "tasks.max", "2",
                "topics", TOPIC, "local.dir", localDir.toString(), "segment.bytes", "262144", "segment.ms", "2000",
                "batch.bytes", "16384", "compression.type", "zstd", "commit.mode", "remote",
                "local.retention.ms", "0"));
        worker.putConnector("archive", sink);
        worker.awaitRunning("archive", 2, Duration.ofSeconds(60));
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            await("every record in S3 and no local segment left", () -> recordsInS3(store) >= RECORDS
                    && localSegmentFiles(localDir) == 0);
            assertEquals(RECORDS, recordsInS3(store), "records in S3: none lost, none twice");
        }

        Map<String, String> replay = new HashMap<>(s3);
        replay.putAll(Map.of("connector.class", "io.tieredarchive.source.ArchiveReplaySourceConnector",
                "tasks.max", "2", "replay.topics", TOPIC, "replay.topic.format", "${topic}.restored",
                "replay.admin.bootstrap.servers", kafka.getBootstrapServers(),
                "topic.creation.default.replication.factor", "1",
                "topic.creation.default.partitions", Integer.toString(PARTITIONS)));
        worker.putConnector("replay", replay);
        worker.awaitRunning("replay", 2, Duration.ofSeconds(60));
        await("every record replayed", () -> count(TOPIC + ".restored") >= RECORDS);
        assertSameTopics(readAll(TOPIC), readAll(TOPIC + ".restored"));
    }

    /** The s3.* keys both connectors share: LocalStack's endpoint, path style, its static keys. */
    private Map<String, String> s3Config() {
        return new HashMap<>(Map.of("s3.bucket", BUCKET, "s3.prefix", "docker-it",
                "s3.endpoint", localStack.getEndpoint().toString(), "s3.path.style.access", "true",
                "s3.region", localStack.getRegion(), "s3.access.key.id", localStack.getAccessKey(),
                "s3.secret.access.key", localStack.getSecretKey(),
                "key.converter", BYTES, "value.converter", BYTES, "header.converter", BYTES));
    }

    /** Keyed records (every tenth key null) with two headers and distinct timestamps, spread over the partitions. */
    private void produce() throws Exception {
        Map<String, Object> common = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
        }
        Map<String, Object> props = new HashMap<>(common);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        Random random = new Random(7);
        long t0 = System.currentTimeMillis() - RECORDS * 10L;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                byte[] key = i % 10 == 0 ? null : ("customer-" + random.nextInt(500)).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("{\"order\":" + i + ",\"note\":\"" + "x".repeat(random.nextInt(300)) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                var record = new ProducerRecord<>(TOPIC, i % PARTITIONS, t0 + i * 10L, key, value);
                record.headers().add("trace", Long.toHexString(random.nextLong()).getBytes(StandardCharsets.UTF_8));
                record.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Records that sealed segments in S3 hold, by their markers (as every reader of the archive sees them). */
    private static long recordsInS3(RemoteSegmentStore store) throws Exception {
        long records = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            records += store.view(TOPIC, p).segments().stream().mapToLong(SegmentMetadata::recordCount).sum();
        }
        return records;
    }

    private static long localSegmentFiles(Path localDir) throws Exception {
        if (!Files.isDirectory(localDir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(localDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
    }

    private void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.call()) {
            assertTrue(System.nanoTime() < deadline, "Not within " + WAIT + ": " + what + "; worker log: "
                    + worker.logFile());
            Thread.sleep(1_000);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(String topic) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    /** Sum of the end offsets, transaction markers included: 0 while the topic does not exist. */
    private long count(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return consumer.endOffsets(partitions(topic), Duration.ofSeconds(10)).values().stream()
                    .mapToLong(Long::longValue).sum();
        } catch (KafkaException notYet) { // the replay has not created the topic yet
            return 0;
        }
    }

    /** Every committed record of the topic, by partition, in offset order. */
    private List<List<ConsumerRecord<byte[], byte[]>>> readAll(String topic) {
        List<List<ConsumerRecord<byte[], byte[]>>> out = new ArrayList<>();
        IntStream.range(0, PARTITIONS).forEach(p -> out.add(new ArrayList<>()));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> tps = partitions(topic);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end");
                consumer.poll(Duration.ofMillis(500)).forEach(r -> out.get(r.partition()).add(r));
            }
        }
        return out;
    }

    /** Same partition, order, key, value, timestamp and headers for every record. */
    private static void assertSameTopics(List<List<ConsumerRecord<byte[], byte[]>>> original,
                                         List<List<ConsumerRecord<byte[], byte[]>>> restored) {
        assertEquals(RECORDS, original.stream().mapToInt(List::size).sum(), "records produced");
        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(original.get(p).size(), restored.get(p).size(), "records in partition " + p);
            for (int i = 0; i < original.get(p).size(); i++) {
                ConsumerRecord<byte[], byte[]> o = original.get(p).get(i);
                ConsumerRecord<byte[], byte[]> r = restored.get(p).get(i);
                String at = "partition " + p + ", original offset " + o.offset();
                RecordAssertions.assertSameRecord(at, o, r);
            }
        }
    }
}
