package io.tieredarchive.sink.integration;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.sink.ArchiveContents;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test data and checks shared by the sink's end-to-end tests, and by the reliability suite through this module's
 * test-jar.
 */
public final class ArchiveFixture {

    /** A day ago: recent enough for the broker's 7-day retention, and the timestamps stay in the past. */
    public static final long T0 = System.currentTimeMillis() - 86_400_000L;
    public static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
    public static final String BUCKET = "archive";

    private ArchiveFixture() {
    }

    /** Starts an S3 server (S3Proxy, a child JVM) under {@code parent} with the sink's bucket {@link #BUCKET}. */
    public static S3ProxyServer startS3(Path parent) {
        S3ProxyServer s3 = S3ProxyServer.startIn(parent);
        S3TestConnections.create(s3, BUCKET);
        return s3;
    }

    /**
     * The sink's config for tests: small segments and batches, so that a test seals many segments quickly; the
     * archive is tiered to {@link #BUCKET} on {@code s3}.
     */
    public static Map<String, String> connectorConfig(String bootstrapServers, Path localDir, String topics, int tasks,
                                                      S3ProxyServer s3) {
        return connectorConfig(bootstrapServers, localDir, topics, tasks, s3.endpoint(), s3.accessKey(),
                s3.secretKey());
    }

    /**
     * {@link #connectorConfig(String, Path, String, int, S3ProxyServer)} for an S3 endpoint and keys given one by
     * one.
     */
    public static Map<String, String> connectorConfig(String bootstrapServers, Path localDir, String topics,
                                                      int tasks, String endpoint, String accessKey,
                                                      String secretKey) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.tieredarchive.sink.ArchiveSinkConnector");
        config.put("kafka.bootstrap.servers", bootstrapServers);
        config.put("tasks.max", Integer.toString(tasks));
        config.put("topics", topics);
        config.put("local.dir", localDir.toString());
        config.putAll(S3TestConnections.connectorKeys("", endpoint, accessKey, secretKey, BUCKET, ""));
        config.put("segment.bytes", Integer.toString(256 * 1024));
        config.put("batch.bytes", Integer.toString(16 * 1024));
        config.put("segment.ms", "2000");
        config.put("compression.type", "zstd");
        config.put("key.converter", BYTES);
        config.put("value.converter", BYTES);
        config.put("header.converter", BYTES);
        return config;
    }

    /**
     * Record {@code i} of {@code partition}: a key (null every 50th), a value of 40..240 bytes (a tombstone every
     * 101st), 0..2 headers (one with a null value every 3rd), and a timestamp rising by 10 ms, except every 37th
     * which is up to an hour in the past (CreateTime out of order).
     */
    public static ProducerRecord<byte[], byte[]> record(String topic, int partition, int i, Random random) {
        byte[] key = i % 50 == 0 ? null : ("key-" + partition + "-" + (i % 5000)).getBytes(StandardCharsets.UTF_8);
        byte[] value = null;
        if (i % 101 != 0) {
            value = new byte[40 + random.nextInt(200)];
            for (int b = 0; b < value.length; b++) {
                value[b] = b % 3 == 0 ? (byte) random.nextInt() : (byte) ('a' + b % 26);
            }
        }
        List<Header> headers = new ArrayList<>();
        if (i % 2 == 0) {
            headers.add(new RecordHeader("trace", ("t-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        if (i % 3 == 0) {
            headers.add(new RecordHeader("empty", null));
        }
        long timestamp = i % 37 == 0 ? T0 + i * 10L - random.nextInt(3_600_000) : T0 + i * 10L;
        return new ProducerRecord<>(topic, partition, timestamp, key, value, headers);
    }

    /** Produces {@code perPartition} records of {@link #record} to each partition, and waits for the acks. */
    public static void produce(EmbeddedKafkaCluster kafka, String topic, int partitions, int perPartition, long seed)
            throws Exception {
        Random random = new Random(seed);
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            List<Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < partitions; p++) {
                    acks.add(producer.send(record(topic, p, i, random)));
                }
            }
            producer.flush();
            for (Future<?> ack : acks) {
                ack.get();
            }
        }
    }

    /** Makes record {@code i} of {@code partition}, such as {@link #record}. */
    @FunctionalInterface
    public interface RecordMaker {
        ProducerRecord<byte[], byte[]> make(String topic, int partition, int i, Random random);
    }

    /**
     * Produces {@code perPartition} records of {@link #record} (or of a given {@link RecordMaker}) to each
     * partition from a background thread, at a steady pace over about {@code duration}, so that workers can come
     * and go while records arrive.
     */
    public static final class BackgroundProducer implements AutoCloseable {
        private final Thread thread;
        private final AtomicLong produced = new AtomicLong();
        private volatile Throwable failure;
        private volatile boolean stopped;

        public BackgroundProducer(EmbeddedKafkaCluster kafka, String topic, int partitions, int perPartition,
                                  Duration duration, long seed) {
            this(kafka, topic, partitions, perPartition, duration, seed, 500, ArchiveFixture::record);
        }

        /** Flushes and pauses after every {@code chunk} records per partition, which {@code maker} makes. */
        public BackgroundProducer(EmbeddedKafkaCluster kafka, String topic, int partitions, int perPartition,
                                  Duration duration, long seed, int chunk, RecordMaker maker) {
            long pauseMs = Math.max(1, duration.toMillis() * chunk / perPartition);
            thread = new Thread(() -> {
                Random random = new Random(seed);
                try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
                    for (int i = 0; i < perPartition && !stopped; i++) {
                        for (int p = 0; p < partitions; p++) {
                            producer.send(maker.make(topic, p, i, random), (metadata, e) -> {
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

    public static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaCluster kafka) {
        return kafka.createProducer(Map.of("linger.ms", 5, "batch.size", 128 * 1024, "acks", "all",
                "compression.type", "lz4"));
    }

    /** Every record of {@code topic}, by partition, as a consumer reads it now. */
    public static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumeAll(EmbeddedKafkaCluster kafka, String topic)
            throws Exception {
        ConsumerRecords<byte[], byte[]> all = kafka.consumeAll(120_000, topic);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : all) {
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        byPartition.values().forEach(list -> list.sort((a, b) -> Long.compare(a.offset(), b.offset())));
        return byPartition;
    }

    /** Waits until each partition's sealed segments reach the offset before {@code endOffsets} (last + 1). */
    public static void awaitArchived(Path localDir, String topic, Map<Integer, Long> lastOffsets, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Long> reached = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            reached.clear();
            boolean done = true;
            for (Map.Entry<Integer, Long> e : lastOffsets.entrySet()) {
                long last = lastSealedOffset(partitionDir(localDir, topic, e.getKey()));
                reached.put(e.getKey(), last);
                done &= last >= e.getValue();
            }
            if (done) {
                return;
            }
            Thread.sleep(250);
        }
        Map<Integer, String> behind = new TreeMap<>();
        reached.forEach((p, last) -> {
            if (last < lastOffsets.get(p)) {
                behind.put(p, last + " of " + lastOffsets.get(p));
            }
        });
        fail("The archive of " + topic + " did not reach the end within " + timeout + "; behind (partition=last "
                + "sealed offset of last offset): " + (behind.size() > 20 ? behind.size() + " partitions, e.g. "
                + behind.entrySet().stream().limit(20).toList() : behind));
    }

    /** The last offset in the sealed segments of {@code dir}, -1 when none. */
    public static long lastSealedOffset(Path dir) throws SegmentException {
        long last = -1;
        for (SegmentFiles files : ArchiveContents.sealed(dir)) {
            SegmentMetadata meta = SegmentMetadata.read(files.marker());
            last = Math.max(last, meta.lastOffset());
        }
        return last;
    }

    /** Waits until the sealed segments of {@code topic} hold at least {@code records} records. */
    public static void awaitSealed(Path localDir, String topic, int partitions, long records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (sealedRecordCount(localDir, topic, partitions) < records) {
            if (System.nanoTime() > deadline) {
                fail("fewer than " + records + " records of " + topic + " archived in 120 s");
            }
            Thread.sleep(200);
        }
    }

    /** Records in the sealed segments of {@code topic}'s partitions. */
    public static long sealedRecordCount(Path localDir, String topic, int partitions) throws SegmentException {
        long count = 0;
        for (int p = 0; p < partitions; p++) {
            for (SegmentFiles files : ArchiveContents.sealed(partitionDir(localDir, topic, p))) {
                count += SegmentMetadata.read(files.marker()).recordCount();
            }
        }
        return count;
    }

    /** The last offset of each partition, from the consumer's view. */
    public static Map<Integer, Long> lastOffsets(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed) {
        Map<Integer, Long> last = new TreeMap<>();
        consumed.forEach((p, records) -> last.put(p, records.get(records.size() - 1).offset()));
        return last;
    }

    public static Path partitionDir(Path localDir, String topic, int partition) {
        return localDir.resolve(topic + "-" + partition);
    }

    /**
     * Asserts that the archive of each partition holds exactly the consumed records: the same offsets in the same
     * order (so no gap and no duplicate), and byte for byte the same keys, values, headers and timestamps.
     */
    public static void assertArchiveMatches(Path localDir, String topic,
                                     Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed) throws Exception {
        for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : consumed.entrySet()) {
            List<ArchivedRecord> archived = ArchiveContents.read(partitionDir(localDir, topic, e.getKey()));
            List<ConsumerRecord<byte[], byte[]>> expected = e.getValue();
            String where = topic + "-" + e.getKey();
            assertEquals(expected.stream().map(ConsumerRecord::offset).toList(),
                    archived.stream().map(ArchivedRecord::offset).toList(), where + ": offsets");
            for (int i = 0; i < expected.size(); i++) {
                assertSame(expected.get(i), archived.get(i), where);
            }
        }
    }

    public static void assertSame(ConsumerRecord<byte[], byte[]> expected, ArchivedRecord actual, String where) {
        String at = where + " offset " + expected.offset();
        assertEquals(expected.timestamp(), actual.timestamp(), at + ": timestamp");
        assertEquals(expected.timestampType(), actual.timestampType(), at + ": timestamp type");
        assertArrayEquals(expected.key(), actual.key(), at + ": key");
        assertArrayEquals(expected.value(), actual.value(), at + ": value");
        Header[] headers = expected.headers().toArray();
        assertEquals(headers.length, actual.headers().length, at + ": header count");
        for (int h = 0; h < headers.length; h++) {
            assertEquals(headers[h].key(), actual.headers()[h].key(), at + ": header key");
            assertArrayEquals(headers[h].value(), actual.headers()[h].value(), at + ": header value");
        }
    }

    /** True when the offsets have at least one gap. */
    public static boolean hasGaps(List<ConsumerRecord<byte[], byte[]>> records) {
        for (int i = 1; i < records.size(); i++) {
            if (records.get(i).offset() != records.get(i - 1).offset() + 1) {
                return true;
            }
        }
        return false;
    }
}
