package io.tieredarchive.sink;

import io.tieredarchive.tier.remote.Incarnation;

import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The live cluster's topic identities for the task's unit tests (the end-to-end tests ask a real broker): each
 * topic is one incarnation until a test {@link #recreate}s it; {@link #unavailable} makes every call fail as an
 * unreachable cluster does.
 */
final class TestIdentities implements TopicIdentities {

    static final String CLUSTER = "unit-cluster";

    private final Map<String, Incarnation> incarnations = new HashMap<>();
    private String cluster = CLUSTER;
    private final Map<TopicPartition, Long> earliest = new HashMap<>();
    private final Map<String, Integer> generations = new HashMap<>();
    volatile boolean unavailable;
    int calls;

    /** The incarnation {@code topic} has now. */
    synchronized Incarnation of(String topic) {
        return incarnations.computeIfAbsent(topic, t -> new Incarnation(cluster, t + "-id-0"));
    }

    /** Deletes and creates {@code topic} again: a new topic id; its partitions start at {@code earliestOffset}. */
    synchronized Incarnation recreate(String topic, long earliestOffset) {
        int generation = generations.merge(topic, 1, Integer::sum);
        Incarnation next = new Incarnation(cluster, topic + "-id-" + generation);
        incarnations.put(topic, next);
        earliest.keySet().removeIf(tp -> tp.topic().equals(topic));
        earliest.put(new TopicPartition(topic, -1), earliestOffset);
        return next;
    }

    /** Another cluster from now on (a new broker, a failover): every topic is a new incarnation of it. */
    synchronized void moveToCluster(String clusterId) {
        cluster = clusterId;
        incarnations.clear();
    }

    @Override
    public synchronized Map<String, Incarnation> incarnations(Collection<String> topics) throws UnavailableException {
        check();
        Map<String, Incarnation> result = new HashMap<>();
        topics.forEach(t -> result.put(t, of(t)));
        return result;
    }

    @Override
    public synchronized Map<TopicPartition, Long> earliestOffsets(Collection<TopicPartition> partitions)
            throws UnavailableException {
        check();
        Map<TopicPartition, Long> result = new HashMap<>();
        for (TopicPartition tp : partitions) {
            result.put(tp, earliest.getOrDefault(new TopicPartition(tp.topic(), -1), 0L));
        }
        return result;
    }

    private void check() throws UnavailableException {
        calls++;
        if (unavailable) {
            throw new UnavailableException("Kafka unreachable (test)", null);
        }
    }

    @Override
    public void close() {
    }
}
