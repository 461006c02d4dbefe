package io.tieredarchive.source.replay;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Spreads archived partitions over tasks: sorted by topic and partition, dealt round-robin, so each topic's
 * partitions spread evenly and a task never gets two more than another. A task's share travels in its config as
 * {@code topic:partition,topic:partition,...} (topic names cannot hold ':' or ',').
 */
public final class PartitionAssignment {

    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    private PartitionAssignment() {
    }

    /** At most {@code maxTasks} non-empty groups; none when there is nothing to replay. */
    public static List<List<TopicPartition>> assign(List<TopicPartition> partitions, int maxTasks) {
        if (maxTasks < 1) {
            throw new IllegalArgumentException("maxTasks must be at least 1, not " + maxTasks);
        }
        List<TopicPartition> sorted = partitions.stream().distinct().sorted(ORDER).toList();
        int tasks = Math.min(maxTasks, sorted.size());
        List<List<TopicPartition>> groups = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            groups.add(new ArrayList<>());
        }
        for (int i = 0; i < sorted.size(); i++) {
            groups.get(i % tasks).add(sorted.get(i));
        }
        return groups;
    }

    public static String encode(List<TopicPartition> partitions) {
        StringBuilder sb = new StringBuilder();
        for (TopicPartition tp : partitions) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(tp.topic()).append(':').append(tp.partition());
        }
        return sb.toString();
    }

    public static List<TopicPartition> decode(String encoded) {
        List<TopicPartition> partitions = new ArrayList<>();
        if (encoded == null || encoded.isBlank()) {
            return partitions;
        }
        for (String item : encoded.split(",")) {
            int colon = item.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Not a topic:partition pair: '" + item + "'");
            }
            partitions.add(new TopicPartition(item.substring(0, colon),
                    Integer.parseInt(item.substring(colon + 1))));
        }
        return partitions;
    }
}
