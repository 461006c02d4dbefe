package io.tieredarchive.reliability.faults.integration;

import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.sink.integration.ArchiveWatch;
import io.tieredarchive.tier.read.ArchiveCursor;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The sink, its data and its checks, for the reliability suite's end-to-end tests. */
public final class SinkFixture {

    private SinkFixture() {
    }

    /**
     * The sink's config, commit.mode=remote: the sink's own test config ({@link ArchiveFixture#connectorConfig},
     * small segments sealed every 2 s), tiered to {@code endpoint}.
     */
    public static Map<String, String> sinkConfig(String bootstrapServers, Path localDir, String topics, int tasks,
                                                 String endpoint, String accessKey, String secretKey) {
        Map<String, String> config = ArchiveFixture.connectorConfig(bootstrapServers, localDir, topics, tasks,
                endpoint, accessKey, secretKey);
        config.put("commit.mode", "remote");
        return config;
    }

    /**
     * Record {@code i} of {@code partition}: a key, 40..240 bytes of value, a header every 2nd, rising time (a
     * {@link ArchiveFixture.RecordMaker}; the sink's {@link ArchiveFixture#record} varies more).
     */
    public static ProducerRecord<byte[], byte[]> record(String topic, int partition, int i, Random random) {
        byte[] key = ("key-" + partition + "-" + i).getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[40 + random.nextInt(200)];
        for (int b = 0; b < value.length; b++) {
            value[b] = b % 3 == 0 ? (byte) random.nextInt() : (byte) ('a' + b % 26);
        }
        List<Header> headers = i % 2 == 0
                ? List.of(new RecordHeader("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8))) : List.of();
        return new ProducerRecord<>(topic, partition, ArchiveFixture.T0 + i * 10L, key, value, headers);
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
                try (ArchiveCursor cursor = reader.fromOffset(store.catalog().resolve(topic, e.getKey(),
                        IncarnationSelection.LATEST_ONE), 0)) {
                    for (ArchivedRecord r = cursor.next(); r != null; r = cursor.next()) {
                        read.add(r);
                    }
                }
                assertEquals(e.getValue().stream().map(ConsumerRecord::offset).toList(),
                        read.stream().map(ArchivedRecord::offset).toList(), where + ": offsets");
                for (int i = 0; i < read.size(); i++) {
                    ArchiveFixture.assertSame(e.getValue().get(i), read.get(i), where);
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
}
