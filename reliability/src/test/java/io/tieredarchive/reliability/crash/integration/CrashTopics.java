package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.testing.SingleBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The in-process broker of the crash tests and its topics (created with the shared KafkaTopics.create). */
final class CrashTopics {

    private CrashTopics() {
    }

    /** One broker whose transaction log works with one replica, for exactly-once source tasks. */
    static EmbeddedKafkaCluster startBroker() {
        // A killed task's open transaction is aborted within a second of its timeout, not ten.
        return SingleBroker.start(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"));
    }

    /** The sum of the end offsets of {@code partitions}. */
    static long endOffsetSum(Admin admin, List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(r -> r.offset()).sum();
    }
}
