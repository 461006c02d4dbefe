package io.tieredarchive.sink;

import io.tieredarchive.tier.remote.Incarnation;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Notices when the topic behind an open partition is no longer the incarnation being archived (deleted and created
 * again while the task runs): when a partition's offsets go back ({@link #stillArchived}), and every
 * {@code intervalMs} for all open partitions ({@link #changed}). Task thread only.
 */
final class IdentityWatch {

    private static final Logger log = LoggerFactory.getLogger(IdentityWatch.class);

    private final TopicIdentities identities;
    private final LongSupplier clock;
    private final long intervalMs;
    private long nextCheckMs;

    IdentityWatch(TopicIdentities identities, LongSupplier clock, long intervalMs) {
        this.identities = identities;
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.nextCheckMs = clock.getAsLong() + intervalMs;
    }

    /**
     * True when {@code partition}'s topic is still the incarnation archived; false when it is another now (or does
     * not exist).
     *
     * @throws TopicIdentities.UnavailableException when Kafka cannot say now
     */
    boolean stillArchived(PartitionArchive partition) throws TopicIdentities.UnavailableException {
        String topic = partition.topicPartition().topic();
        Incarnation live = identities.incarnations(List.of(topic)).get(topic);
        return partition.archivePartition().incarnation().equals(live);
    }

    /**
     * When a check is due: the open partitions whose topic is another incarnation now. Empty when no check is due,
     * or when Kafka cannot be asked (the next call tries again after the interval).
     */
    List<TopicPartition> changed(Collection<PartitionArchive> open) {
        long now = clock.getAsLong();
        if (now < nextCheckMs || open.isEmpty()) {
            return List.of();
        }
        nextCheckMs = now + intervalMs;
        Set<String> topics = new HashSet<>();
        open.forEach(p -> topics.add(p.topicPartition().topic()));
        Map<String, Incarnation> live;
        try {
            live = identities.incarnations(topics);
        } catch (TopicIdentities.UnavailableException e) {
            log.warn("Cannot check the identity of the archived topics now: {}", e.getMessage());
            return List.of();
        }
        List<TopicPartition> changed = new ArrayList<>();
        for (PartitionArchive p : open) {
            Incarnation current = live.get(p.topicPartition().topic());
            if (current != null && !current.equals(p.archivePartition().incarnation())) {
                changed.add(p.topicPartition());
            }
        }
        return changed;
    }
}
