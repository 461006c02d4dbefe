package io.tieredarchive.source.integration;

import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.testing.RecordAssertions;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.apache.kafka.test.TestUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the replay's end-to-end tests share: connector configs, waiting, reading a topic back and comparing. The
 * reliability suite uses its reads and failure helpers too, through this module's test-jar; clusters and topics
 * come from {@code io.tieredarchive.testing} ({@code InProcessConnect}, {@code KafkaTopics}).
 */
public final class ReplayItSupport {

    static final String BUCKET = "archive";
    static final String PREFIX = "kafka/archive";

    private ReplayItSupport() {
    }

    /** A replay of {@code topics} from the test archive into {@code format}, preserving partitions. */
    static Map<String, String> replayConfig(S3ProxyServer s3, EmbeddedConnectCluster connect, String topics,
                                            String format) {
        Map<String, String> c = ConnectorConfigs.byteReplay(2);
        c.putAll(S3TestConnections.connectorKeys("", s3, BUCKET, PREFIX));
        c.put("s3.retry.max.attempts", "3");
        c.put("replay.topics", topics);
        c.put("replay.topic.format", format);
        c.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        c.put("replay.batch.records", "2000");
        return c;
    }

    /**
     * Waits until a read-committed consumer sees at least {@code count} records in the topic (read only once the
     * end offsets, which also count transaction markers and aborted records, reach {@code count}).
     */
    static void awaitRecords(EmbeddedConnectCluster connect, String topic, int partitions, long count,
                             Duration timeout) throws InterruptedException {
        AtomicReference<Long> seen = new AtomicReference<>(-1L);
        TestUtils.waitForCondition(() -> {
            long end;
            try {
                end = endOffsetSum(connect, topic, partitions);
            } catch (Exception notYet) {
                return false; // the topic may not exist yet
            }
            seen.set(end);
            if (end < count) {
                return false;
            }
            seen.set(committedCount(connect, topic, partitions));
            return seen.get() >= count;
        }, timeout.toMillis(), () -> topic + " holds " + seen.get() + " records, expected " + count);
    }

    /** The sum of the topic's end offsets: records written, committed or not, and transaction markers. */
    static long endOffsetSum(EmbeddedConnectCluster connect, String topic, int partitions) throws Exception {
        long sum = 0;
        for (int p = 0; p < partitions; p++) {
            sum += connect.kafka().endOffset(new TopicPartition(topic, p));
        }
        return sum;
    }

    /** The records of {@code topic} a read-committed consumer sees now, by partition, in order. */
    static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(EmbeddedConnectCluster connect, String topic,
                                                                      int partitions) {
        return readAll(connect.kafka(), topic, partitions);
    }

    /** {@link #readAll(EmbeddedConnectCluster, String, int)} on a broker without Connect. */
    public static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(EmbeddedKafkaCluster kafka,
                                                                             String topic, int partitions) {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new TreeMap<>();
        Map<String, Object> props = Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.createConsumer(props)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
                byPartition.put(p, new ArrayList<>());
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.currentTimeMillis() + 60_000;
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertTrue(System.currentTimeMillis() < deadline, "could not read " + topic + " to its end");
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                records.forEach(r -> byPartition.get(r.partition()).add(r));
            }
        }
        return byPartition;
    }

    static long committedCount(EmbeddedConnectCluster connect, String topic, int partitions) {
        return readAll(connect, topic, partitions).values().stream().mapToLong(List::size).sum();
    }

    /** The replayed records equal the archived ones one by one: order, key, value, headers, timestamp. */
    static void assertSameRecords(String what, List<ArchivedRecord> expected,
                                  List<ConsumerRecord<byte[], byte[]>> actual) {
        assertEquals(expected.size(), actual.size(), what + ": record count");
        for (int i = 0; i < expected.size(); i++) {
            ArchivedRecord e = expected.get(i);
            ConsumerRecord<byte[], byte[]> a = actual.get(i);
            String at = what + " record " + i + " (archived offset " + e.offset() + ")";
            RecordAssertions.assertSameRecord(at, e, a);
            assertEquals(TimestampType.CREATE_TIME, a.timestampType(), at + ": timestamp type");
        }
    }

    /** Waits up to a minute until the connector, or one of its tasks, has failed; returns its trace. */
    static String awaitFailure(EmbeddedConnectCluster connect, String connector) throws InterruptedException {
        return awaitFailure(connect, connector, Duration.ofSeconds(60));
    }

    /** Waits until the connector, or one of its tasks, has failed; returns its trace. */
    public static String awaitFailure(EmbeddedConnectCluster connect, String connector, Duration timeout)
            throws InterruptedException {
        AtomicReference<String> trace = new AtomicReference<>();
        TestUtils.waitForCondition(() -> {
            Optional<String> t = failureTrace(connect, connector);
            t.ifPresent(trace::set);
            return t.isPresent();
        }, timeout.toMillis(), () -> connector + " did not fail: " + safeStatus(connect, connector));
        return trace.get();
    }

    /** The trace of the failed connector or its first failed task, if any. */
    public static Optional<String> failureTrace(EmbeddedConnectCluster connect, String connector) {
        ConnectorStateInfo status;
        try {
            status = connect.connectorStatus(connector);
        } catch (RuntimeException notYet) {
            return Optional.empty();
        }
        if ("FAILED".equals(status.connector().state())) {
            return Optional.of("connector: " + status.connector().trace());
        }
        return status.tasks().stream().filter(t -> "FAILED".equals(t.state()))
                .map(t -> "task " + t.id() + ": " + t.trace()).findFirst();
    }

    /** The connector's status, or why it cannot be read. */
    public static String safeStatus(EmbeddedConnectCluster connect, String connector) {
        try {
            return String.valueOf(connect.connectorStatus(connector));
        } catch (RuntimeException e) {
            return e.toString();
        }
    }
}
