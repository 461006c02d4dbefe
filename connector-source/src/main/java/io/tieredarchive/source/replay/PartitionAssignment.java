package io.tieredarchive.source.replay;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spreads archived partitions over tasks: grouped by topic and partition (every incarnation of one partition goes
 * to the same task, which replays them in order into the same target partition), the groups sorted by topic and
 * partition and dealt round-robin, so each topic's partitions spread evenly and a task never gets two more groups
 * than another. A task's share travels in its config as {@code topic:partition:incarnation,...} (topic names cannot
 * hold ':' or ',', incarnation ids neither).
 */
public final class PartitionAssignment {

    private PartitionAssignment() {
    }

    /**
     * At most {@code maxTasks} non-empty groups; none when there is nothing to replay. {@code partitions} come in
     * the order to replay them (a partition's incarnations oldest first), which each group keeps.
     */
    public static List<List<ArchivePartition>> assign(List<ArchivePartition> partitions, int maxTasks) {
        if (maxTasks < 1) {
            throw new IllegalArgumentException("maxTasks must be at least 1, not " + maxTasks);
        }
        Map<String, List<ArchivePartition>> units = new LinkedHashMap<>();
        partitions.stream().distinct().sorted(java.util.Comparator.comparing(ArchivePartition::topic)
                        .thenComparingInt(ArchivePartition::partition))
                .forEach(p -> units.computeIfAbsent(p.topic() + ":" + p.partition(), k -> new ArrayList<>()).add(p));
        List<List<ArchivePartition>> sorted = new ArrayList<>(units.values());
        int tasks = Math.min(maxTasks, sorted.size());
        List<List<ArchivePartition>> groups = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            groups.add(new ArrayList<>());
        }
        for (int i = 0; i < sorted.size(); i++) {
            groups.get(i % tasks).addAll(sorted.get(i));
        }
        return groups;
    }

    public static String encode(List<ArchivePartition> partitions) {
        StringBuilder sb = new StringBuilder();
        for (ArchivePartition p : partitions) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(p.topic()).append(':').append(p.partition()).append(':').append(p.incarnation().id());
        }
        return sb.toString();
    }

    public static List<ArchivePartition> decode(String encoded) {
        List<ArchivePartition> partitions = new ArrayList<>();
        if (encoded == null || encoded.isBlank()) {
            return partitions;
        }
        for (String item : encoded.split(",")) {
            String[] parts = item.split(":");
            Incarnation incarnation = parts.length == 3 ? Incarnation.parse(parts[2]).orElse(null) : null;
            if (incarnation == null || parts[0].isEmpty()) {
                throw new IllegalArgumentException("Not a topic:partition:incarnation triple: '" + item + "'");
            }
            partitions.add(new ArchivePartition(parts[0], incarnation, Integer.parseInt(parts[1])));
        }
        return partitions;
    }
}
