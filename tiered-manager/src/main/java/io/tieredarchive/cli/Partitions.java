package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Finds the partitions a command works on, and formats what every command prints. */
final class Partitions {

    private Partitions() {
    }

    /**
     * The archived partitions of {@code topic} (every topic when null), or only partition {@code partition}, of the
     * selected incarnations, by topic, then incarnation (oldest first), then partition. Lists folders only (S3
     * common prefixes), never every object.
     */
    static List<ArchivePartition> of(RemoteSegmentStore store, String topic, Integer partition,
                                     IncarnationSelection incarnations) throws SegmentException {
        ArchiveCatalog catalog = store.catalog();
        List<String> topics = topic != null ? List.of(topic) : catalog.topics();
        List<ArchivePartition> result = new ArrayList<>();
        for (String t : topics) {
            for (ArchiveCatalog.Entry e : incarnations.select(catalog.incarnations(t))) {
                for (int p : catalog.partitions(t, e.incarnation())) {
                    if (partition == null || partition == p) {
                        result.add(new ArchivePartition(t, e.incarnation(), p));
                    }
                }
            }
        }
        return result;
    }

    /** The one partition of the selected incarnation a read works on; fails naming the choices when not one. */
    static ArchivePartition one(RemoteSegmentStore store, String topic, int partition,
                                IncarnationSelection incarnation) throws SegmentException {
        return store.catalog().resolve(topic, partition, incarnation);
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
