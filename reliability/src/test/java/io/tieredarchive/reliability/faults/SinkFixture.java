package io.tieredarchive.reliability.faults;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.sink.integration.ArchiveWatch;
import io.tieredarchive.tier.ArchiveCursor;
import io.tieredarchive.tier.ArchiveReader;
import io.tieredarchive.tier.RemoteSegmentStore;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The sink, its data and its checks, for the reliability suite's end-to-end tests. */
public final class SinkFixture {

    public static final String BUCKET = "archive";
    public static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
    /** A day ago: inside the broker's retention, and in the past. */
    static final long T0 = System.currentTimeMillis() - 86_400_000L;

    private SinkFixture() {
    }

    /** One in-process Connect worker: offsets flushed every second, plugins found by service loading. */
    public static EmbeddedConnectCluster startConnect(String name, Map<String, String> workerProps) {
        Map<String, String> props = new HashMap<>(Map.of("offset.flush.interval.ms", "1000",
                "plugin.discovery", "service_load"));
        props.putAll(workerProps);
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name(name).numWorkers(1)
                .brokerProps(new Properties()).workerProps(props).build();
        connect.start();
        return connect;
    }

    /** Creates a topic and waits until the broker serves every partition (answers ListOffsets). */
    public static void createTopic(EmbeddedKafkaCluster kafka, String topic, int partitions) throws Exception {
        kafka.createTopic(topic, partitions, 1, Map.of());
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            all.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (Admin admin = kafka.createAdminClient()) {
            while (true) {
                try {
                    admin.listOffsets(all, new ListOffsetsOptions().timeoutMs(30_000)).all().get(60, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("The broker does not serve every partition of " + topic, notYet);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    /** The sink's config, commit.mode=remote: small segments sealed every 2 s, tiered to {@code endpoint}. */
    public static Map<String, String> sinkConfig(Path localDir, String topics, int tasks, String endpoint,
                                                 String accessKey, String secretKey) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.tieredarchive.sink.ArchiveSinkConnector");
        config.put("tasks.max", Integer.toString(tasks));
        config.put("topics", topics);
        config.put("local.dir", localDir.toString());
        config.put("commit.mode", "remote");
        config.put("s3.bucket", BUCKET);
        config.put("s3.endpoint", endpoint);
        config.put("s3.path.style.access", "true");
        config.put("s3.region", "us-east-1");
        config.put("s3.access.key.id", accessKey);
        config.put("s3.secret.access.key", secretKey);
        config.put("segment.bytes", Integer.toString(256 * 1024));
        config.put("batch.bytes", Integer.toString(16 * 1024));
        config.put("segment.ms", "2000");
        config.put("compression.type", "zstd");
        config.put("key.converter", BYTES);
        config.put("value.converter", BYTES);
        config.put("header.converter", BYTES);
        return config;
    }

    /** Record {@code i} of {@code partition}: a key, 40..240 bytes of value, a header every 2nd, rising time. */
    public static ProducerRecord<byte[], byte[]> record(String topic, int partition, int i, Random random) {
        byte[] key = ("key-" + partition + "-" + i).getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[40 + random.nextInt(200)];
        for (int b = 0; b < value.length; b++) {
            value[b] = b % 3 == 0 ? (byte) random.nextInt() : (byte) ('a' + b % 26);
        }
        List<Header> headers = i % 2 == 0
                ? List.of(new RecordHeader("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8))) : List.of();
        return new ProducerRecord<>(topic, partition, T0 + i * 10L, key, value, headers);
    }

    /** Produces {@code perPartition} records to each partition at a steady pace over about {@code duration}. */
    public static final class BackgroundProducer implements AutoCloseable {
        private final Thread thread;
        private final AtomicLong produced = new AtomicLong();
        private volatile Throwable failure;
        private volatile boolean stopped;

        public BackgroundProducer(EmbeddedKafkaCluster kafka, String topic, int partitions, int perPartition,
                                  Duration duration, long seed) {
            int chunk = 200;
            long pauseMs = Math.max(1, duration.toMillis() * chunk / perPartition);
            thread = new Thread(() -> {
                Random random = new Random(seed);
                try (KafkaProducer<byte[], byte[]> producer = kafka.createProducer(Map.of("linger.ms", 5,
                        "batch.size", 128 * 1024, "acks", "all", "compression.type", "lz4"))) {
                    for (int i = 0; i < perPartition && !stopped; i++) {
                        for (int p = 0; p < partitions; p++) {
                            producer.send(record(topic, p, i, random), (metadata, e) -> {
                                if (e != null) {
                                    failure = e;
                                }
                            });
                        }
                        if (i % chunk == chunk - 1 || i == perPartition - 1) {
                            producer.flush();
                            produced.set((long) (i + 1) * partitions);
                            Thread.sleep(pauseMs);
                        }
                    }
                } catch (Throwable t) {
                    failure = t;
                }
            }, "background-producer-" + topic);
            thread.start();
        }

        public long produced() {
            return produced.get();
        }

        /** Waits until every record is acknowledged; fails if producing failed. */
        public void await(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                fail("The background producer did not finish within " + timeout + " (" + produced() + " sent)");
            }
            if (failure != null) {
                throw new AssertionError("The background producer failed", failure);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.join();
        }
    }

    /** Every record of {@code topic}, by partition, in offset order, as a consumer reads it now. */
    public static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumeAll(EmbeddedKafkaCluster kafka,
                                                                               String topic) throws Exception {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.consumeAll(120_000, topic)) {
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        byPartition.values().forEach(list -> list.sort((a, b) -> Long.compare(a.offset(), b.offset())));
        return byPartition;
    }

    public static Map<Integer, Long> lastOffsets(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed) {
        Map<Integer, Long> last = new TreeMap<>();
        consumed.forEach((p, records) -> last.put(p, records.get(records.size() - 1).offset()));
        return last;
    }

    public interface Condition {
        boolean holds() throws Exception;
    }

    public static void await(Condition condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail("not reached within " + timeout + ": " + what);
            }
            Thread.sleep(250);
        }
    }

    /** Waits until S3 holds every partition past its {@code last} offset, without a gap. */
    public static void awaitInS3(Path bucketDir, String topic, Map<Integer, Long> last, Duration timeout)
            throws Exception {
        await(() -> {
            Map<Integer, Long> ends = ArchiveWatch.s3Ends(bucketDir, topic);
            return last.entrySet().stream().allMatch(e -> ends.getOrDefault(e.getKey(), 0L) > e.getValue());
        }, timeout, topic + " complete in S3");
    }

    /** Waits until the sink named {@code connector} has committed every partition past its {@code last} offset. */
    public static void awaitCommitted(Admin admin, String connector, String topic, Map<Integer, Long> last,
                                      Duration timeout) throws Exception {
        await(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("connect-" + connector)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return last.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata o = committed.get(new TopicPartition(topic, e.getKey()));
                return o != null && o.offset() > e.getValue();
            });
        }, timeout, topic + " committed to the end");
    }

    /**
     * Asserts that S3 holds each partition exactly once: its segments (markers) follow each other without a gap
     * or an overlap from offset 0, and reading them back (from S3 alone) gives the consumer's records, byte for
     * byte, in order.
     */
    public static void assertS3HoldsExactlyOnce(RemoteSegmentStore store, Path bucketDir, String topic,
                                                Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed)
            throws Exception {
        Map<Integer, List<SegmentMetadata>> markers = ArchiveWatch.remoteMarkers(bucketDir, topic);
        try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
                String where = topic + "-" + e.getKey() + " in S3";
                long next = 0;
                long count = 0;
                for (SegmentMetadata m : markers.getOrDefault(e.getKey(), List.of())) {
                    assertEquals(next, m.baseOffset(), where + ": segments " + markers.get(e.getKey()).stream()
                            .map(s -> s.baseOffset() + ".." + s.lastOffset()).toList() + " (gap or overlap)");
                    next = m.nextOffset();
                    count += m.recordCount();
                }
                assertEquals(e.getValue().size(), count, where + ": records in the segments");
                List<ArchivedRecord> read = new ArrayList<>();
                try (ArchiveCursor cursor = reader.fromOffset(topic, e.getKey(), 0)) {
                    for (ArchivedRecord r = cursor.next(); r != null; r = cursor.next()) {
                        read.add(r);
                    }
                }
                assertEquals(e.getValue().stream().map(ConsumerRecord::offset).toList(),
                        read.stream().map(ArchivedRecord::offset).toList(), where + ": offsets");
                for (int i = 0; i < read.size(); i++) {
                    assertSame(e.getValue().get(i), read.get(i), where);
                }
            }
        }
    }

    /** How often {@code what} occurs in {@code text} (log lines, for instance). */
    public static long occurrences(String text, String what) {
        long n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** Closes each in turn (nulls skipped), printing rather than throwing what fails: for {@code @AfterAll}. */
    public static void closeAll(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    public static void assertSame(ConsumerRecord<byte[], byte[]> expected, ArchivedRecord actual, String where) {
        String at = where + " offset " + expected.offset();
        assertEquals(expected.timestamp(), actual.timestamp(), at + ": timestamp");
        assertArrayEquals(expected.key(), actual.key(), at + ": key");
        assertArrayEquals(expected.value(), actual.value(), at + ": value");
        Header[] headers = expected.headers().toArray();
        assertEquals(headers.length, actual.headers().length, at + ": header count");
        for (int h = 0; h < headers.length; h++) {
            assertEquals(headers[h].key(), actual.headers()[h].key(), at + ": header key");
            assertArrayEquals(headers[h].value(), actual.headers()[h].value(), at + ": header value");
        }
    }
}
