package io.tieredarchive.sink;

import io.tieredarchive.tier.remote.Incarnation;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@link TopicIdentities} from Kafka's Admin API ({@code kafka.bootstrap.servers} and {@code kafka.*}): the cluster
 * id once (it does not change while the client is connected to that cluster... but a client is re-created when it
 * fails, so it is asked again then), topic ids by {@code describeTopics}, log start offsets by {@code listOffsets}.
 * Every call is bounded by {@link #CALL_TIMEOUT}; a failure is an {@link UnavailableException}.
 */
final class AdminTopicIdentities implements TopicIdentities {

    private static final Logger log = LoggerFactory.getLogger(AdminTopicIdentities.class);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Supplier<Admin> admins;
    private Admin admin;
    private String clusterId;

    AdminTopicIdentities(Supplier<Admin> admins) {
        this.admins = admins;
    }

    @Override
    public Map<String, Incarnation> incarnations(Collection<String> topics) throws UnavailableException {
        String cluster = clusterId();
        Map<String, Incarnation> result = new HashMap<>();
        Map<String, KafkaFuture<TopicDescription>> futures = admin().describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis())).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e : futures.entrySet()) {
            try {
                TopicDescription d = get(e.getValue(), "describe topic " + e.getKey());
                result.put(e.getKey(), new Incarnation(cluster, d.topicId().toString()));
            } catch (UnavailableException failure) {
                if (!(failure.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure;
                }
                log.debug("Topic {} does not exist now", e.getKey());
            }
        }
        return result;
    }

    @Override
    public Map<TopicPartition, Long> earliestOffsets(Collection<TopicPartition> partitions)
            throws UnavailableException {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, OffsetSpec.earliest()));
        Map<TopicPartition, Long> result = new HashMap<>();
        var all = admin().listOffsets(specs, new ListOffsetsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis()))
                .all();
        get(all, "list the earliest offsets of " + partitions).forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    private String clusterId() throws UnavailableException {
        if (clusterId == null) {
            clusterId = get(admin().describeCluster().clusterId(), "describe the cluster");
        }
        return clusterId;
    }

    private Admin admin() {
        if (admin == null) {
            admin = admins.get();
        }
        return admin;
    }

    private <T> T get(KafkaFuture<T> future, String what) throws UnavailableException {
        try {
            return future.get(CALL_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("Interrupted while asking Kafka to " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (!(cause instanceof UnknownTopicOrPartitionException)) {
                reset();
            }
            throw new UnavailableException("Kafka could not " + what + ": " + cause, cause);
        } catch (TimeoutException e) {
            reset();
            throw new UnavailableException("Kafka did not " + what + " within " + CALL_TIMEOUT.toSeconds() + " s",
                    e);
        }
    }

    /** Drops the client after a failure: the next call connects again (and asks for the cluster id again). */
    private void reset() {
        close();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
            clusterId = null;
        }
    }
}
