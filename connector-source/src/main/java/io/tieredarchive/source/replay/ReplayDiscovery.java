package io.tieredarchive.source.replay;

import io.tieredarchive.tier.remote.ArchiveCatalog;

import io.tieredarchive.segment.SegmentException;
import org.apache.kafka.common.TopicPartition;
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
 * Finds the archived partitions a replay covers: those of the listed topics, or of every archived topic matching
 * the regex. A listed topic the archive does not hold fails the connector, naming where it was looked for; with
 * {@code errors.tolerance=all} it is reported and left out, and with {@code replay.follow=true} it is awaited.
 */
public final class ReplayDiscovery {

    private static final Logger log = LoggerFactory.getLogger(ReplayDiscovery.class);

    /** The partitions to replay, and each topic's partition count (highest archived partition + 1). */
    public record Result(List<TopicPartition> partitions, Map<String, Integer> partitionCounts) {
    }

    private final ArchiveCatalog catalog;
    private final String location;
    private final List<String> topics;
    private final Pattern regex;
    private final boolean follow;
    private final boolean tolerateMissing;
    private final Set<String> reportedMissing = new HashSet<>();

    /**
     * @param location where the archive is, for messages ({@code s3://bucket/})
     * @param topics   the listed topics; empty when {@code regex} chooses them
     */
    public ReplayDiscovery(ArchiveCatalog catalog, String location, List<String> topics, Optional<Pattern> regex,
                           boolean follow, boolean tolerateMissing) {
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
            throw new ConnectException("No archived topic in " + location + catalog.root() + " matches "
                    + "replay.topics.regex '" + regex.pattern() + "'");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String topic : chosen) {
            List<Integer> archived = catalog.partitions(topic);
            if (archived.isEmpty()) {
                missing(topic);
                continue;
            }
            archived.forEach(p -> partitions.add(new TopicPartition(topic, p)));
            counts.put(topic, archived.get(archived.size() - 1) + 1);
        }
        return new Result(partitions, counts);
    }

    private void missing(String topic) {
        String message = "Topic '" + topic + "' is not in the archive: there is no partition folder under "
                + location + catalog.location(topic);
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
