package io.tieredarchive.source.replay;

import java.util.Comparator;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.ArchiveCatalog;

import io.tieredarchive.segment.SegmentException;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the archived partitions a replay covers: those of the selected incarnations ({@code replay.incarnation}) of
 * the listed topics, or of every archived topic matching the regex. A listed topic the archive does not hold (or
 * holds no selected incarnation of) fails the connector, naming where it was looked for and which incarnations
 * there are; with {@code errors.tolerance=all} it is reported and left out, and with {@code replay.follow=true} it
 * is awaited.
 */
public final class ReplayDiscovery {

    private static final Logger log = LoggerFactory.getLogger(ReplayDiscovery.class);

    /**
     * The partitions to replay (topic by topic, by partition, then incarnation oldest first), and each topic's partition
     * count (highest archived partition + 1, over the selected incarnations).
     */
    public record Result(List<ArchivePartition> partitions, Map<String, Integer> partitionCounts) {
    }

    private final ArchiveCatalog catalog;
    private final String location;
    private final List<String> topics;
    private final Pattern regex;
    private final boolean follow;
    private final boolean tolerateMissing;
    private final IncarnationSelection incarnations;
    private final Set<String> reportedMissing = new HashSet<>();

    /**
     * @param location where the archive is, for messages ({@code s3://bucket/prefix/})
     * @param topics   the listed topics; empty when {@code regex} chooses them
     */
    public ReplayDiscovery(ArchiveCatalog catalog, String location, List<String> topics, Optional<Pattern> regex,
                           IncarnationSelection incarnations, boolean follow, boolean tolerateMissing) {
        this.incarnations = incarnations;
        this.catalog = catalog;
        this.location = location;
        this.topics = List.copyOf(topics);
        this.regex = regex.orElse(null);
        this.follow = follow;
        this.tolerateMissing = tolerateMissing;
    }

    /**
     * Lists the archive.
     *
     * @throws ConnectException when a listed topic is missing (and neither followed nor tolerated), or no archived
     *                          topic matches the regex (without follow)
     * @throws SegmentException when the archive cannot be listed; {@link ReplayFailures} judges it
     */
    public Result discover() throws SegmentException {
        List<String> chosen = regex == null ? topics
                : catalog.topics().stream().filter(t -> regex.matcher(t).matches()).toList();
        if (regex != null && chosen.isEmpty() && !follow) {
            throw new ConnectException("No archived topic in " + location + " matches "
                    + "replay.topics.regex '" + regex.pattern() + "'");
        }
        List<ArchivePartition> partitions = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String topic : chosen) {
            List<ArchiveCatalog.Entry> all = catalog.incarnations(topic);
            List<ArchivePartition> found = new ArrayList<>();
            for (ArchiveCatalog.Entry e : incarnations.select(all)) {
                catalog.partitions(topic, e.incarnation())
                        .forEach(p -> found.add(new ArchivePartition(topic, e.incarnation(), p)));
            }
            if (found.isEmpty()) {
                missing(topic, all);
                continue;
            }
            found.sort(Comparator.comparingInt(ArchivePartition::partition)); // stable: incarnations oldest first
            partitions.addAll(found);
            counts.put(topic, found.stream().mapToInt(ArchivePartition::partition).max().orElse(-1) + 1);
        }
        return new Result(partitions, counts);
    }

    private void missing(String topic, List<ArchiveCatalog.Entry> all) {
        String message = all.isEmpty()
                ? "Topic '" + topic + "' is not in the archive: there is no partition folder under " + location
                        + topic + "/"
                : "No incarnation of topic '" + topic + "' in " + location + topic + "/" + " matches "
                        + "replay.incarnation '" + incarnations + "'; the archive holds "
                        + all.stream().map(e -> e.incarnation().id()).toList();
        if (follow) {
            if (reportedMissing.add(topic)) {
                log.warn("{}; replay.follow=true, so it is replayed once it is archived", message);
            }
        } else if (tolerateMissing) {
            if (reportedMissing.add(topic)) {
                log.error("{}; left out (errors.tolerance=all)", message);
            }
        } else {
            throw new ConnectException(message + ". Check replay.topics, s3.bucket and s3.prefix");
        }
    }
}
