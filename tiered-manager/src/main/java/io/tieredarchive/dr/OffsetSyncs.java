package io.tieredarchive.dr;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The offset syncs topic ({@code replay.offset.syncs.topic}) of a target cluster, read to its end: the latest version
 * of each run (records are keyed by the run's first target offset; a later record of a key replaces the earlier,
 * as compaction would), grouped by archived partition.
 */
public final class OffsetSyncs {

    private static final Logger log = LoggerFactory.getLogger(OffsetSyncs.class);
    /** Name of the topic replay tasks write offset syncs to, unless {@code replay.offset.syncs.topic} says. */
    public static final String DEFAULT_TOPIC = "tiered-archive.offset-syncs";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(120);

    /** An archived partition: topic, incarnation id, partition. */
    public record Source(String topic, String incarnation, int partition) {
    }

    private OffsetSyncs() {
    }

    /**
     * Every run in {@code topic} that {@code wanted} accepts, by archived partition.
     *
     * @throws IllegalArgumentException when the topic does not exist in the cluster
     */
    public static Map<Source, List<OffsetSync>> read(Consumer<byte[], byte[]> consumer, String topic,
                                                     Predicate<OffsetSync> wanted) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalArgumentException("The target cluster has no offset syncs topic '" + topic + "': "
                    + "replays write offset syncs there (replay.offset.syncs.topic) while they run");
        }
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps);
        Map<String, OffsetSync> byKey = new HashMap<>();
        int unreadable = 0;
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read the offset syncs topic '" + topic + "' to its end "
                        + "within " + READ_TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.key() == null) {
                    unreadable++;
                    continue;
                }
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (r.value() == null) {
                    byKey.remove(key);
                    continue;
                }
                try {
                    byKey.put(key, OffsetSync.fromValue(r.value()));
                } catch (IllegalArgumentException e) {
                    unreadable++;
                    log.debug("Offset sync at {}-{}@{} ignored: {}", r.topic(), r.partition(), r.offset(),
                            e.getMessage());
                }
            }
        }
        if (unreadable > 0) {
            log.warn("{} records of the offset syncs topic '{}' are not offset syncs; ignored", unreadable, topic);
        }
        Map<Source, List<OffsetSync>> result = new HashMap<>();
        for (OffsetSync s : byKey.values()) {
            if (wanted.test(s)) {
                result.computeIfAbsent(new Source(s.topic(), s.incarnation(), s.partition()),
                        k -> new ArrayList<>()).add(s);
            }
        }
        return result;
    }
}
