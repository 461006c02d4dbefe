package io.tieredarchive.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Topics of the end-to-end tests' in-process broker. */
public final class KafkaTopics {

    private KafkaTopics() {
    }

    /** {@link #create(EmbeddedKafkaCluster, String, int, Map)} with the broker's default topic configs. */
    public static void create(EmbeddedKafkaCluster kafka, String topic, int partitions) throws Exception {
        create(kafka, topic, partitions, Map.of());
    }

    /**
     * Creates a topic (one replica) and waits until the broker serves every partition. The controller names
     * leaders before the broker has created the partitions, and an idempotent producer that writes into that gap
     * can get stuck on out-of-order sequence errors until its delivery timeout. A partition answers ListOffsets
     * once its leader has it.
     */
    public static void create(EmbeddedKafkaCluster kafka, String topic, int partitions, Map<String, String> configs)
            throws Exception {
        kafka.createTopic(topic, partitions, 1, configs);
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
                } catch (ExecutionException notYet) { // e.g. the topic's metadata has not reached the broker
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("The broker does not serve every partition of " + topic, notYet);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }
}
