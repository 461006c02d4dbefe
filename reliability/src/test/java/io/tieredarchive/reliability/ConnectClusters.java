package io.tieredarchive.reliability;

import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/** An embedded Connect cluster as the reliability ITs use it, and the waits and reads they share. */
public final class ConnectClusters {

    private ConnectClusters() {
    }

    /** One worker, one broker, plugins by service loader, byte-array converters, offsets flushed each second. */
    public static EmbeddedConnectCluster start(String name, Map<String, String> extraWorkerProps) {
        Map<String, String> props = new HashMap<>();
        props.put("plugin.discovery", "service_load");
        props.put("key.converter", ByteArrayConverter.class.getName());
        props.put("value.converter", ByteArrayConverter.class.getName());
        props.put("header.converter", ByteArrayConverter.class.getName());
        props.put("offset.flush.interval.ms", "1000");
        props.putAll(extraWorkerProps);
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name(name).numWorkers(1)
                .numBrokers(1).brokerProps(broker).workerProps(new HashMap<>(props)).build();
        connect.start();
        return connect;
    }

    /** The S3 keys of a connector talking to {@code s3}, under {@code keyPrefix} ("" or "source." ...). */
    public static Map<String, String> s3Keys(String keyPrefix, S3ProxyServer s3, String bucket, String prefix) {
        Map<String, String> c = new HashMap<>();
        c.put(keyPrefix + "s3.bucket", bucket);
        c.put(keyPrefix + "s3.prefix", prefix);
        c.put(keyPrefix + "s3.endpoint", s3.endpoint());
        c.put(keyPrefix + "s3.path.style.access", "true");
        c.put(keyPrefix + "s3.access.key.id", s3.accessKey());
        c.put(keyPrefix + "s3.secret.access.key", s3.secretKey());
        c.put(keyPrefix + "s3.retry.max.attempts", "2");
        return c;
    }

    /** Creates a topic and waits until the broker serves every partition. */
    public static void createTopic(EmbeddedConnectCluster connect, String topic, int partitions) throws Exception {
        connect.kafka().createTopic(topic, partitions);
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            all.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try (Admin admin = connect.kafka().createAdminClient()) {
            TestUtils.retryOnExceptionWithTimeout(60_000, () -> admin.listOffsets(all).all().get());
        }
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

    /** Waits until the connector or one of its tasks has failed; returns its trace. */
    public static String awaitFailure(EmbeddedConnectCluster connect, String connector, Duration timeout)
            throws InterruptedException {
        AtomicReference<String> trace = new AtomicReference<>();
        TestUtils.waitForCondition(() -> {
            Optional<String> t = failureTrace(connect, connector);
            t.ifPresent(trace::set);
            return t.isPresent();
        }, timeout.toMillis(), () -> connector + " did not fail: " + status(connect, connector));
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

    public static String status(EmbeddedConnectCluster connect, String connector) {
        try {
            return String.valueOf(connect.connectorStatus(connector));
        } catch (RuntimeException e) {
            return e.toString();
        }
    }
}
