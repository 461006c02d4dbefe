package io.tieredarchive.source.integration;

import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.PartitionView;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static io.tieredarchive.source.integration.ReplayItSupport.BUCKET;
import static io.tieredarchive.source.integration.ReplayItSupport.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole pipeline: records produced to a topic, archived by {@code ArchiveSinkConnector} with
 * {@code commit.mode=remote}, which tiers every sealed segment to S3 at once and deletes the local copy once it is
 * verified there ({@code local.retention.ms=0}); once every record is in S3 and no local segment is left, the topic
 * is replayed into a new topic that must equal the original record by record: partition, order, key, value,
 * headers, timestamp.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchivePipelineIT {

    private static final String TOPIC = "pipeline";
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 5_000;

    @TempDir
    static Path tempDir;
    private S3ProxyServer s3;
    private S3Connection connection;
    private EmbeddedConnectCluster connect;

    @BeforeAll
    void setUp() {
        s3 = S3ProxyServer.startIn(tempDir);
        connection = S3TestConnections.withPrefix(S3TestConnections.create(s3, BUCKET), PREFIX);
        connect = InProcessConnect.named("pipeline-it").byteArrayConverters().start();
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), s3);
    }

    @Test
    void archivedTieredAndReplayedTopicEqualsTheOriginal() throws Exception {
        KafkaTopics.create(connect.kafka(), TOPIC, PARTITIONS);
        produce();
        Path localDir = tempDir.resolve("sink-local");
        connect.configureConnector("archive", sinkConfig(localDir));
        awaitEverythingInS3AndNothingLocal(localDir);
        connect.deleteConnector("archive");

        Map<String, String> replay = ReplayItSupport.replayConfig(s3, connect, TOPIC, "${topic}.restored");
        replay.put("topic.creation.default.replication.factor", "1");
        replay.put("topic.creation.default.partitions", "1");
        connect.configureConnector("replay", replay);
        ReplayItSupport.awaitRecords(connect, TOPIC + ".restored", PARTITIONS, PARTITIONS * PER_PARTITION,
                Duration.ofSeconds(120));
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> original = ReplayItSupport.readAll(connect, TOPIC,
                PARTITIONS);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = ReplayItSupport.readAll(connect,
                TOPIC + ".restored", PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(PER_PARTITION, original.get(p).size());
            ReplayItSupport.assertSameRecords(TOPIC + "-" + p, asArchived(original.get(p)), restored.get(p));
        }
        connect.deleteConnector("replay");
    }

    private Map<String, String> sinkConfig(Path localDir) {
        // The sink ITs' config (bucket "archive", raw bytes, 16 KiB batches), under the prefix, with small segments
        // that leave the local disk as soon as they are in S3.
        Map<String, String> c = ArchiveFixture.connectorConfig(connect.kafka().bootstrapServers(), localDir, TOPIC, 2,
                s3.endpoint(), s3.accessKey(), s3.secretKey());
        c.put("s3.prefix", PREFIX);
        c.put("segment.bytes", Integer.toString(64 * 1024));
        c.put("segment.ms", "1000");
        c.put("commit.mode", "remote");
        c.put("tier.upload.delay.ms", "0");
        c.put("local.retention.ms", "0");
        return c;
    }

    /** Keys (some null), values (some null), 0 to 2 headers (one with a null value), timestamps not in order. */
    private void produce() throws Exception {
        long t0 = System.currentTimeMillis() - 3_600_000L;
        Random random = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
            List<Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < PER_PARTITION; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    byte[] key = i % 13 == 0 ? null : ("k" + (i % 700)).getBytes(StandardCharsets.UTF_8);
                    byte[] value = i % 17 == 0 ? null : new byte[30 + random.nextInt(300)];
                    if (value != null) {
                        random.nextBytes(value);
                    }
                    List<Header> headers = new ArrayList<>();
                    if (i % 2 == 0) {
                        headers.add(new RecordHeader("trace", ("t-" + p + "-" + i).getBytes(StandardCharsets.UTF_8)));
                    }
                    if (i % 5 == 0) {
                        headers.add(new RecordHeader("none", null));
                    }
                    long ts = i % 29 == 0 ? t0 + i * 10L - random.nextInt(600_000) : t0 + i * 10L;
                    acks.add(producer.send(new ProducerRecord<>(TOPIC, p, ts, key, value, headers)));
                }
            }
            producer.flush();
            for (Future<?> ack : acks) {
                ack.get();
            }
        }
    }

    /** Waits until S3 holds every record of every partition and the local tier no segment. */
    private void awaitEverythingInS3AndNothingLocal(Path localDir) throws InterruptedException {
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            TestUtils.waitForCondition(() -> {
                for (int p = 0; p < PARTITIONS; p++) {
                    PartitionView view = store.view(store.catalog().resolve(TOPIC, p,
                            IncarnationSelection.LATEST_ONE));
                    long records = view.segments().stream().mapToLong(SegmentMetadata::recordCount).sum();
                    if (records < PER_PARTITION || view.endOffset() != PER_PARTITION) {
                        return false;
                    }
                }
                try (Stream<Path> files = Files.walk(localDir)) {
                    return files.noneMatch(f -> f.toString().endsWith(".log"));
                }
            }, 120_000, 500, () -> "the archive did not reach S3, or local segments remain");
        }
    }

    private static List<ArchivedRecord> asArchived(List<ConsumerRecord<byte[], byte[]>> records) {
        List<ArchivedRecord> l = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            l.add(new ArchivedRecord(r.offset(), r.timestamp(), r.timestampType(), r.key(), r.value(),
                    r.headers().toArray()));
        }
        return l;
    }
}
