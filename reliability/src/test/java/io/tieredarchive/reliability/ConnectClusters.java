package io.tieredarchive.reliability;

import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads and waits the reliability ITs share on an embedded Connect cluster; the cluster itself and its topics come
 * from tiered-manager's test-jar ({@code InProcessConnect}, {@code KafkaTopics}), failure traces from the source's
 * ReplayItSupport (its test-jar).
 */
public final class ConnectClusters {

    private ConnectClusters() {
    }

    /** The S3 keys of a connector talking to {@code s3}, under {@code keyPrefix} ("" or "source." ...). */
    public static Map<String, String> s3Keys(String keyPrefix, S3ProxyServer s3, String bucket, String prefix) {
        Map<String, String> c = new HashMap<>();
        c.putAll(S3TestConnections.connectorKeys(keyPrefix, s3, bucket, prefix));
        c.put(keyPrefix + "s3.retry.max.attempts", "2");
        return c;
    }

    /** Every record of one partition a read-committed consumer sees now, in order. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedConnectCluster connect, String topic,
                                                                int partition) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, Object> props = Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 60_000;
            while (consumer.position(tp) < end) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("could not read " + topic + "-" + partition + " to its end " + end);
                }
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
                polled.forEach(records::add);
            }
        }
        return records;
    }

    /** Waits until a read-committed consumer sees at least {@code count} records in partition 0. */
    public static List<ConsumerRecord<byte[], byte[]>> awaitRecords(EmbeddedConnectCluster connect, String topic,
                                                                     int count, Duration timeout)
            throws InterruptedException {
        AtomicReference<List<ConsumerRecord<byte[], byte[]>>> seen = new AtomicReference<>(List.of());
        TestUtils.waitForCondition(() -> {
            try {
                seen.set(readAll(connect, topic, 0));
            } catch (RuntimeException notYet) {
                return false;
            }
            return seen.get().size() >= count;
        }, timeout.toMillis(), () -> topic + " holds " + seen.get().size() + " records, expected " + count);
        return seen.get();
    }
}
