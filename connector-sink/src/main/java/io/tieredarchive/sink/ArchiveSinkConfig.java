package io.tieredarchive.sink;

import io.tieredarchive.config.CommitMode;
import io.tieredarchive.config.ConfigValidators;
import io.tieredarchive.config.ConnectorValidation;
import io.tieredarchive.config.KafkaClusterConfig;
import io.tieredarchive.config.LocalTierConfig;
import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.config.SegmentConfig;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Configuration of {@link ArchiveSinkConnector}: the S3 connection ({@code s3.*}), the local tier and the segment
 * keys, each defined once in {@code config/}. Connect's own keys ({@code topics}, {@code errors.*}, converters) are
 * Connect's; the task reads {@code key.converter}, {@code value.converter} and {@code header.converter} from the
 * connector config as described in {@link RecordConverter}.
 *
 * <p>{@code commit.mode}: {@code remote} commits the offsets of records whose segment is verified in S3,
 * {@code local} those of records in sealed local segments (fsynced, marker written). See {@code docs/sink.md}.
 */
public final class ArchiveSinkConfig extends AbstractConfig {

    /** Set by the connector in each task's config: the task's index, for the writer id and the logs. */
    static final String TASK_INDEX = "archive.task.index";

    private static final String KAFKA_BOOTSTRAP_SERVERS_DOC = "Bootstrap servers of the Kafka cluster whose topics "
            + "are archived (usually the worker's own bootstrap.servers). The sink reads the cluster id and each "
            + "topic's id through Kafka's Admin API, so that a topic deleted and created again, or a topic of the "
            + "same name in another cluster, is archived apart (its own incarnation), never skipped as already "
            + "archived.";

    private static final String SNAPSHOTS_GROUP = "Restore snapshots";

    public static final String ARCHIVE_GROUPS_REGEX_CONFIG = "archive.groups.regex";
    private static final String ARCHIVE_GROUPS_REGEX_DOC = "Java regular expression: the consumer groups whose "
            + "committed offsets on the archived topics are snapshotted into the archive (next to each topic's data, "
            + "never overwritten), so that a restore can resume them exactly ('tiered-archive groups'). Empty: no "
            + "group is snapshotted. Read by the connector through kafka.* (needs Describe on the groups).";

    public static final String ARCHIVE_GROUPS_INTERVAL_MS_CONFIG = "archive.groups.interval.ms";
    private static final String ARCHIVE_GROUPS_INTERVAL_MS_DOC = "How often the connector reads the selected groups' "
            + "offsets (and the topic configs); a snapshot is written when something changed since the last one.";
    private static final long ARCHIVE_GROUPS_INTERVAL_MS_DEFAULT = 60_000L;

    public static final String ARCHIVE_TOPIC_CONFIGS_CONFIG = "archive.topic.configs";
    private static final String ARCHIVE_TOPIC_CONFIGS_DOC = "Snapshot each archived topic's partition count and "
            + "every config set on it (cleanup.policy, retention.ms, ...) into the archive when its archive starts and "
            + "whenever they change, checked every archive.groups.interval.ms; a replay creating the topic applies "
            + "them (replay.topic.configs=preserve). Needs DescribeConfigs on the topics.";

    private static final ConfigDef CONFIG_DEF = build();

    public ArchiveSinkConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
    }

    /** The sink's keys: {@code s3.*} (s3.bucket required), local tier, segment and compression. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG_DEF);
    }

    private static ConfigDef build() {
        ConfigDef def = new ConfigDef();
        S3ConnectionConfig.define(def, "");
        KafkaClusterConfig.define(def, true, KAFKA_BOOTSTRAP_SERVERS_DOC);
        LocalTierConfig.define(def);
        SegmentConfig.define(def);
        int order = 0;
        def.define(ARCHIVE_GROUPS_REGEX_CONFIG, Type.STRING, "", ConfigValidators.regexOrEmpty(),
                Importance.MEDIUM, ARCHIVE_GROUPS_REGEX_DOC, SNAPSHOTS_GROUP, ++order, Width.LONG,
                "Groups to snapshot");
        def.define(ARCHIVE_GROUPS_INTERVAL_MS_CONFIG, Type.LONG, ARCHIVE_GROUPS_INTERVAL_MS_DEFAULT,
                Range.between(1_000L, 86_400_000L), Importance.LOW, ARCHIVE_GROUPS_INTERVAL_MS_DOC, SNAPSHOTS_GROUP,
                ++order, Width.SHORT, "Snapshot interval");
        def.define(ARCHIVE_TOPIC_CONFIGS_CONFIG, Type.BOOLEAN, true, Importance.LOW, ARCHIVE_TOPIC_CONFIGS_DOC,
                SNAPSHOTS_GROUP, ++order, Width.SHORT, "Snapshot topic configs");
        return def;
    }

    /**
     * The checks between keys that no single validator can make, each on the key to fix: the segment keys
     * ({@code segment.bytes} at least {@code batch.bytes}, the codec level in range) whenever those keys are valid,
     * and the S3 key pairs.
     */
    public static Map<String, String> crossFieldErrors(ConnectorValidation.Keys keys) {
        Map<String, String> errors = new LinkedHashMap<>(SegmentConfig.crossFieldErrors(keys));
        errors.putAll(S3ConnectionConfig.crossFieldErrors(keys.props(), "", null));
        return errors;
    }

    public Path localDir() {
        return Path.of(getString(LocalTierConfig.LOCAL_DIR_CONFIG).trim());
    }

    public int segmentBytes() {
        return getInt(SegmentConfig.SEGMENT_BYTES_CONFIG);
    }

    public long segmentMs() {
        return getLong(SegmentConfig.SEGMENT_MS_CONFIG);
    }

    public int batchBytes() {
        return getInt(SegmentConfig.BATCH_BYTES_CONFIG);
    }

    public String compressionType() {
        return getString(SegmentConfig.COMPRESSION_TYPE_CONFIG);
    }

    /** The codec level, or null for the codec's default. */
    public Integer compressionLevel() {
        return getInt(SegmentConfig.COMPRESSION_LEVEL_CONFIG);
    }

    public CommitMode commitMode() {
        return CommitMode.of(getString(LocalTierConfig.COMMIT_MODE_CONFIG));
    }

    /** The Admin client's settings for the archived topics' cluster ({@code kafka.*}). */
    public Map<String, Object> adminConfig() {
        return KafkaClusterConfig.adminConfig(this, null);
    }

    /**
     * What the connector snapshots for restores: the groups ({@code archive.groups.regex}) and topic configs of the
     * topics Connect's {@code topics} or {@code topics.regex} name.
     */
    RestoreSnapshotter.Settings snapshotSettings() {
        String groups = getString(ARCHIVE_GROUPS_REGEX_CONFIG);
        Object topics = originals().get("topics");
        Object topicsRegex = originals().get("topics.regex");
        List<String> listed = topics == null ? List.of() : Arrays.stream(topics.toString().split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).toList();
        Optional<Pattern> regex = topicsRegex == null || topicsRegex.toString().isBlank() ? Optional.empty()
                : Optional.of(Pattern.compile(topicsRegex.toString().trim()));
        return new RestoreSnapshotter.Settings(connectorName(), listed, regex,
                groups.isEmpty() ? Optional.empty() : Optional.of(Pattern.compile(groups)),
                getBoolean(ARCHIVE_TOPIC_CONFIGS_CONFIG), getLong(ARCHIVE_GROUPS_INTERVAL_MS_CONFIG));
    }

    /** The connector's name (Connect's {@code name} key), or "archive-sink" outside Connect. */
    public String connectorName() {
        Object name = originals().get("name");
        return name == null ? "archive-sink" : name.toString();
    }

    /** The task index the connector put in the task config, or 0. */
    public int taskIndex() {
        Object index = originals().get(TASK_INDEX);
        return index == null ? 0 : Integer.parseInt(index.toString());
    }

    /** Prints the keys as an HTML table (Connect's format), like Kafka's own connector configs do. */
    public static void main(String[] args) {
        System.out.println(configDef().toHtml(4, key -> "archive-sink-" + key));
    }
}
