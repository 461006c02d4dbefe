package io.tieredarchive.reliability.crash;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The in-process broker of the crash tests and its topics. */
final class CrashTopics {

    private CrashTopics() {
    }

    /** One broker whose transaction log works with one replica, for exactly-once source tasks. */
    static EmbeddedKafkaCluster startBroker() {
        Properties props = new Properties();
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        // A killed task's open transaction is aborted within a second of its timeout, not ten.
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, props);
        kafka.start();
        return kafka;
    }

    /**
     * Creates a topic and waits until the broker serves every partition (answers ListOffsets): an idempotent
     * producer writing into a partition the broker has not created yet can stall until its delivery timeout.
     */
    static void create(EmbeddedKafkaCluster kafka, String topic, int partitions) throws Exception {
        kafka.createTopic(topic, partitions, 1, Map.of());
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            all.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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

    /** The sum of the end offsets of {@code partitions}. */
    static long endOffsetSum(Admin admin, List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(r -> r.offset()).sum();
    }
}
