package io.tieredarchive.cli;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Finds the partitions a command works on, and formats what every command prints. */
final class Partitions {

    private Partitions() {
    }

    /**
     * The archived partitions of {@code topic} (every topic when null), or just {@code topic}-{@code partition}
     * when both are given. Lists folders only (S3 common prefixes), never every object.
     */
    static List<TopicPartition> of(RemoteSegmentStore store, String topic, Integer partition)
            throws SegmentException {
        if (topic != null && partition != null) {
            return List.of(new TopicPartition(topic, partition));
        }
        String root = store.layout().rootPrefix();
        List<String> topics = topic != null ? List.of(topic) : store.backend().listFolders(root);
        List<TopicPartition> result = new ArrayList<>();
        for (String t : topics) {
            for (String p : store.backend().listFolders(root + t + "/")) {
                if (p.matches("\\d{1,9}")) {
                    result.add(new TopicPartition(t, Integer.parseInt(p)));
                }
            }
        }
        result.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        return result;
    }

    static String time(long epochMs) {
        return epochMs < 0 ? "-" : Instant.ofEpochMilli(epochMs).toString();
    }

    /** Parses ISO-8601 ({@code 2024-01-31T10:00:00Z}) or epoch milliseconds. */
    static long parseTime(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notMillis) {
            try {
                return Instant.parse(value).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("'" + value + "' is neither an ISO-8601 instant "
                        + "(2024-01-31T10:00:00Z) nor epoch milliseconds");
            }
        }
    }
}
