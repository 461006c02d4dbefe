package io.tieredarchive.dr;

import io.tieredarchive.config.KafkaClusterConfig;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.tier.remote.IncarnationSelection;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a group restore takes from the replay connector's own config (the CLI's {@code --config}, the REST
 * extension's {@code connector}): which archived topics ({@code replay.topics} / {@code replay.topics.regex}), into
 * which target topics ({@code replay.topic.format}), which incarnation ({@code replay.incarnation}), the offset syncs
 * topic ({@code replay.offset.syncs.topic}), and the target cluster ({@code kafka.*}, or the older
 * {@code replay.admin.*}).
 */
public record GroupRestoreSettings(List<String> topics, Optional<Pattern> topicsRegex, String topicFormat,
                                   IncarnationSelection incarnation, String syncsTopic, Map<String, Object> kafka) {

    public static final String TOPICS = "replay.topics";
    public static final String TOPICS_REGEX = "replay.topics.regex";
    public static final String TOPIC_FORMAT = "replay.topic.format";
    public static final String INCARNATION = "replay.incarnation";
    public static final String SYNCS_TOPIC = "replay.offset.syncs.topic";
    private static final String TOPIC_PLACEHOLDER = "${topic}";
    private static final String LEGACY_ADMIN_PREFIX = "replay.admin.";

    /**
     * The settings in a replay connector's config; fails naming the key when one is missing or wrong.
     *
     * @throws ConfigException naming the key
     */
    public static GroupRestoreSettings fromReplayConfig(Map<String, String> props) {
        List<String> topics = Arrays.stream(props.getOrDefault(TOPICS, "").split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).toList();
        String regex = props.getOrDefault(TOPICS_REGEX, "").trim();
        Optional<Pattern> pattern = Optional.empty();
        if (!regex.isEmpty()) {
            try {
                pattern = Optional.of(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new ConfigException(TOPICS_REGEX, regex, e.getDescription());
            }
        }
        String incarnation = props.getOrDefault(INCARNATION, IncarnationSelection.LATEST).trim();
        String problem = IncarnationSelection.problem(incarnation);
        if (problem != null) {
            throw new ConfigException(INCARNATION, incarnation, problem);
        }
        String syncs = props.getOrDefault(SYNCS_TOPIC, OffsetSyncs.DEFAULT_TOPIC).trim();
        if (syncs.isEmpty()) {
            throw new ConfigException(SYNCS_TOPIC, syncs, "the replay wrote no offset syncs (empty "
                    + SYNCS_TOPIC + "), so its groups cannot be translated");
        }
        Map<String, Object> kafka = KafkaClusterConfig.adminConfig(new AbstractConfig(new ConfigDef(), props,
                false), LEGACY_ADMIN_PREFIX);
        kafka.put("client.id", "tiered-archive-groups");
        if (!KafkaClusterConfig.isSet(props, LEGACY_ADMIN_PREFIX)) {
            kafka.clear(); // checked when the target cluster is needed: showing snapshots does not need it
        }
        return new GroupRestoreSettings(topics, pattern, props.getOrDefault(TOPIC_FORMAT, TOPIC_PLACEHOLDER).trim(),
                new IncarnationSelection(incarnation), syncs, Map.copyOf(kafka));
    }

    /**
     * The target cluster's client settings.
     *
     * @throws ConfigException when the config names no target cluster
     */
    public Map<String, Object> targetCluster() {
        if (kafka.isEmpty()) {
            throw new ConfigException(KafkaClusterConfig.BOOTSTRAP_SERVERS_CONFIG, null, "is needed: the target "
                    + "cluster the replay wrote to (the replay connector's own kafka.bootstrap.servers)");
        }
        return kafka;
    }

    /** The topic the replay wrote {@code topic} into. */
    public String targetOf(String topic) {
        return topicFormat.replace(TOPIC_PLACEHOLDER, topic);
    }

    /** The archived topics the replay covers: {@code replay.topics}, or those of the archive matching the regex. */
    public List<String> archivedTopics(ArchiveCatalog catalog) throws SegmentException {
        if (topicsRegex.isEmpty()) {
            return topics;
        }
        Pattern p = topicsRegex.get();
        return catalog.topics().stream().filter(t -> p.matcher(t).matches()).toList();
    }
}
