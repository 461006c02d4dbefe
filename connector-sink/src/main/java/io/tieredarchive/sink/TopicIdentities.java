package io.tieredarchive.sink;

import io.tieredarchive.tier.remote.Incarnation;

import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.Map;

/**
 * What the live Kafka cluster says about the topics the sink archives: the identity of each topic's current
 * incarnation (cluster id, topic id) and where a partition's log starts. The sink compares it with the archive's,
 * so that a recreated topic, or another cluster's topic of the same name, is never taken for the one archived.
 * {@link AdminTopicIdentities} asks Kafka's Admin API. Called by the task's thread.
 */
interface TopicIdentities extends AutoCloseable {

    /** Kafka could not answer now: the caller retries later, and archives nothing meanwhile. */
    final class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The current incarnation of each of {@code topics}; a topic that does not exist now is left out.
     *
     * @throws UnavailableException when the cluster cannot be asked now
     */
    Map<String, Incarnation> incarnations(Collection<String> topics) throws UnavailableException;

    /** The earliest offset of each partition now (its log start offset). */
    Map<TopicPartition, Long> earliestOffsets(Collection<TopicPartition> partitions) throws UnavailableException;

    @Override
    void close();
}
