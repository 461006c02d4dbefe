package io.tieredarchive.source;

import io.tieredarchive.dr.GroupRestoreSettings;
import io.tieredarchive.dr.OffsetSyncs;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.config.KafkaClusterConfig;
import io.tieredarchive.config.ConfigValidators;
import io.tieredarchive.config.ConnectorValidation;
import io.tieredarchive.config.RestoreCacheConfig;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.source.replay.ReplayRange;
import io.tieredarchive.source.replay.TopicFormat;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Configuration of {@link ArchiveReplaySourceConnector}: the S3 connection of the archive ({@code s3.*}), the
 * restore cache, and the {@code replay.*} keys: what is replayed, into which topics, which range, and how.
 */
public class ArchiveReplaySourceConfig extends AbstractConfig {

    private static final String GROUP = "Replay";

    public static final String REPLAY_TOPICS_CONFIG = "replay.topics";
    private static final String REPLAY_TOPICS_DOC = "Archived topics to replay, comma-separated. Set this or "
            + "replay.topics.regex, not both.";

    public static final String REPLAY_TOPICS_REGEX_CONFIG = "replay.topics.regex";
    private static final String REPLAY_TOPICS_REGEX_DOC = "Java regular expression; every archived topic whose whole "
            + "name matches it is replayed. Set this or replay.topics, not both. With replay.follow=true, topics that "
            + "appear in the archive later are picked up too.";

    public static final String REPLAY_TOPIC_FORMAT_CONFIG = "replay.topic.format";
    private static final String REPLAY_TOPIC_FORMAT_DOC = "Name of the topic each archived topic is replayed into; "
            + "${topic} stands for the archived topic's name, e.g. '${topic}.restored'. The default replays into "
            + "topics of the original names.";
    public static final String REPLAY_TOPIC_FORMAT_DEFAULT = TopicFormat.TOPIC_PLACEHOLDER;

    public static final String REPLAY_START_OFFSET_CONFIG = "replay.start.offset";
    private static final String REPLAY_START_OFFSET_DOC = "First offset replayed in every partition (inclusive). "
            + "Unset: from the first archived record, or from replay.start.time. Set this or replay.start.time, not "
            + "both. A partition with a stored source offset resumes there instead.";

    public static final String REPLAY_END_OFFSET_CONFIG = "replay.end.offset";
    private static final String REPLAY_END_OFFSET_DOC = "First offset not replayed in every partition (exclusive). "
            + "Unset: to the end of the archive, or to replay.end.time. Set this or replay.end.time, not both.";

    public static final String REPLAY_START_TIME_CONFIG = "replay.start.time";
    private static final String REPLAY_START_TIME_DOC = "Replay from the first record (in offset order) whose "
            + "timestamp is at or after this instant: ISO-8601 (2026-01-31T12:00:00Z) or epoch milliseconds. Empty: no "
            + "time start.";

    public static final String REPLAY_END_TIME_CONFIG = "replay.end.time";
    private static final String REPLAY_END_TIME_DOC = "Stop before the first record (in offset order, after the start) "
            + "whose timestamp is at or after this instant (exclusive): ISO-8601 or epoch milliseconds. Empty: no "
            + "time end.";

    public static final String REPLAY_FOLLOW_CONFIG = "replay.follow";
    private static final String REPLAY_FOLLOW_DOC = "Keep replaying: after the end of the archive, look for newly "
            + "archived segments (and, with replay.topics.regex, new topics) every replay.follow.interval.ms. "
            + "False: each partition stops at the end of what is archived when it gets there.";

    public static final String REPLAY_FOLLOW_INTERVAL_MS_CONFIG = "replay.follow.interval.ms";
    private static final String REPLAY_FOLLOW_INTERVAL_MS_DOC = "With replay.follow=true, how often a partition that "
            + "reached the end of the archive looks for new segments, and how often the connector looks for new "
            + "archived partitions. Each look costs one or two S3 requests per partition.";
    private static final long REPLAY_FOLLOW_INTERVAL_MS_DEFAULT = 30_000L;

    public static final String REPLAY_PARTITIONING_CONFIG = "replay.partitioning";
    private static final String REPLAY_PARTITIONING_DOC = "'preserve': each record goes to the partition it was "
            + "archived from; the target topic needs at least as many partitions (checked at start through "
            + "kafka.*, and created with that many when topic.creation.default.* is set). 'key': the "
            + "producer's partitioner chooses by key, so the target may have any number of partitions.";
    public static final List<String> PARTITIONINGS = List.of("preserve", "key");

    public static final String REPLAY_BATCH_RECORDS_CONFIG = "replay.batch.records";
    private static final String REPLAY_BATCH_RECORDS_DOC = "Most records one poll hands to Connect.";
    private static final int REPLAY_BATCH_RECORDS_DEFAULT = 10_000;

    public static final String REPLAY_BATCH_BYTES_CONFIG = "replay.batch.bytes";
    private static final String REPLAY_BATCH_BYTES_DOC = "Most bytes (keys, values and headers) one poll hands to "
            + "Connect; bounds the task's memory with replay.batch.records.";
    private static final int REPLAY_BATCH_BYTES_DEFAULT = 8 * 1024 * 1024;

    public static final String REPLAY_INCARNATION_CONFIG = "replay.incarnation";
    private static final String REPLAY_INCARNATION_DOC = "Which incarnations of each topic to replay (a topic deleted "
            + "and created again, or a topic of the same name from another cluster, is archived as another "
            + "incarnation): 'latest' (the newest archived), 'all' (every one, oldest first, each from its start, "
            + "into the same target), 'legacy' (archives written before incarnations existed), an incarnation id "
            + "<clusterId>.<topicId>, or a topic id. 'tiered-archive ls <topic>' lists them.";

    public static final String REPLAY_HOLE_TIMEOUT_MS_CONFIG = "replay.hole.timeout.ms";
    private static final String REPLAY_HOLE_TIMEOUT_MS_DOC = "How long a partition waits at a hole (offsets no segment "
            + "in S3 covers yet, between segments that are there: a segment its writer is still uploading) before the "
            + "task fails naming it. The replay never steps over a hole.";
    private static final long REPLAY_HOLE_TIMEOUT_MS_DEFAULT = 10 * 60 * 1000L;

    public static final String REPLAY_OFFSET_SYNCS_TOPIC_CONFIG = GroupRestoreSettings.SYNCS_TOPIC;
    private static final String REPLAY_OFFSET_SYNCS_TOPIC_DOC = "Compacted topic of the target cluster where each task "
            + "records offset syncs: where runs of replayed records landed (original offsets to target offsets), "
            + "so that 'tiered-archive groups' can translate consumer group offsets exactly. Created by the "
            + "connector when missing (compacted, one partition; topic.creation.default.replication.factor when "
            + "set). Used with replay.partitioning=preserve; empty: no syncs.";

    public static final String REPLAY_TOPIC_CONFIGS_CONFIG = "replay.topic.configs";
    private static final String REPLAY_TOPIC_CONFIGS_DOC = "'preserve': a target topic the connector creates "
            + "(replay.partitioning=preserve with topic.creation.default.*) gets the archived topic's partition "
            + "count and configs from the archive's newest topic config snapshot (archive.topic.configs on the "
            + "sink); topic.creation.default.* settings given explicitly win. An existing target is never changed: "
            + "where its configs differ from the archived ones, the connector says so in its log. 'none': only "
            + "topic.creation.default.* settings.";
    public static final List<String> TOPIC_CONFIGS_MODES = List.of("preserve", "none");

    /** The older name of the kafka.* keys; still read where kafka.* does not set a key. */
    public static final String LEGACY_ADMIN_PREFIX = "replay.admin.";
    private static final String KAFKA_BOOTSTRAP_SERVERS_DOC = "Bootstrap servers of the Kafka cluster the records "
            + "are replayed into (the worker's cluster). Needed with replay.partitioning=preserve, to check the "
            + "target topics' partition counts and create missing ones. The older replay.admin.* keys are still "
            + "read.";

    /** Set by the connector on each task: the archived partitions it replays. Not user-facing. */
    public static final String TASK_PARTITIONS = "replay.task.partitions";
    /** Set by the connector on each task: its number, which keeps its metric sensors apart. Not user-facing. */
    public static final String TASK_INDEX = "replay.task.index";

    /** Connect's own key; the task reads it to decide between failing and skipping a corrupt segment. */
    public static final String ERRORS_TOLERANCE_CONFIG = "errors.tolerance";

    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /** Built once; after LEGAL_TOPIC, which the offset syncs topic's validator uses when its default is defined. */
    private static final ConfigDef CONFIG_DEF = build();

    private final S3Connection connection;

    public ArchiveReplaySourceConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        connection = S3ConnectionConfig.parse(this, "");
    }

    /** The replay's keys (a copy: a {@code ConfigDef} can be changed by whoever holds it). */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG_DEF);
    }

    private static ConfigDef build() {
        ConfigDef def = RestoreCacheConfig.define(S3ConnectionConfig.define(new ConfigDef(), ""));
        int order = 0;
        def.define(REPLAY_TOPICS_CONFIG, Type.LIST, "", Importance.HIGH, REPLAY_TOPICS_DOC, GROUP, ++order,
                Width.LONG, "Topics");
        def.define(REPLAY_TOPICS_REGEX_CONFIG, Type.STRING, "", ConfigValidators.regexOrEmpty(), Importance.HIGH,
                REPLAY_TOPICS_REGEX_DOC, GROUP, ++order, Width.LONG, "Topics regex");
        def.define(REPLAY_TOPIC_FORMAT_CONFIG, Type.STRING, REPLAY_TOPIC_FORMAT_DEFAULT, TopicFormat.validator(),
                Importance.HIGH, REPLAY_TOPIC_FORMAT_DOC, GROUP, ++order, Width.MEDIUM, "Target topic");
        def.define(REPLAY_START_OFFSET_CONFIG, Type.LONG, null, ConfigValidators.nullOr(Range.atLeast(0L)),
                Importance.MEDIUM, REPLAY_START_OFFSET_DOC, GROUP, ++order, Width.SHORT, "Start offset");
        def.define(REPLAY_END_OFFSET_CONFIG, Type.LONG, null, ConfigValidators.nullOr(Range.atLeast(0L)),
                Importance.MEDIUM, REPLAY_END_OFFSET_DOC, GROUP, ++order, Width.SHORT, "End offset");
        def.define(REPLAY_START_TIME_CONFIG, Type.STRING, "", ConfigValidators.instantOrEmpty(), Importance.MEDIUM,
                REPLAY_START_TIME_DOC, GROUP, ++order, Width.MEDIUM, "Start time");
        def.define(REPLAY_END_TIME_CONFIG, Type.STRING, "", ConfigValidators.instantOrEmpty(), Importance.MEDIUM,
                REPLAY_END_TIME_DOC, GROUP, ++order, Width.MEDIUM, "End time");
        def.define(REPLAY_FOLLOW_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, REPLAY_FOLLOW_DOC, GROUP, ++order,
                Width.SHORT, "Follow");
        def.define(REPLAY_FOLLOW_INTERVAL_MS_CONFIG, Type.LONG, REPLAY_FOLLOW_INTERVAL_MS_DEFAULT,
                Range.between(10L, 86_400_000L), Importance.LOW, REPLAY_FOLLOW_INTERVAL_MS_DOC, GROUP, ++order,
                Width.SHORT, "Follow interval");
        def.define(REPLAY_PARTITIONING_CONFIG, Type.STRING, PARTITIONINGS.get(0),
                ValidString.in(PARTITIONINGS.toArray(String[]::new)), Importance.MEDIUM, REPLAY_PARTITIONING_DOC,
                GROUP, ++order, Width.SHORT, "Partitioning");
        def.define(REPLAY_BATCH_RECORDS_CONFIG, Type.INT, REPLAY_BATCH_RECORDS_DEFAULT, Range.between(1, 1_000_000),
                Importance.LOW, REPLAY_BATCH_RECORDS_DOC, GROUP, ++order, Width.SHORT, "Records per poll");
        def.define(REPLAY_BATCH_BYTES_CONFIG, Type.INT, REPLAY_BATCH_BYTES_DEFAULT,
                Range.between(64 * 1024, 512 * 1024 * 1024), Importance.LOW, REPLAY_BATCH_BYTES_DOC, GROUP, ++order,
                Width.SHORT, "Bytes per poll");
        def.define(REPLAY_INCARNATION_CONFIG, Type.STRING, IncarnationSelection.LATEST, incarnationValidator(),
                Importance.MEDIUM, REPLAY_INCARNATION_DOC, GROUP, ++order, Width.MEDIUM, "Incarnation");
        def.define(REPLAY_HOLE_TIMEOUT_MS_CONFIG, Type.LONG, REPLAY_HOLE_TIMEOUT_MS_DEFAULT,
                Range.between(0L, 7 * 86_400_000L), Importance.LOW, REPLAY_HOLE_TIMEOUT_MS_DOC, GROUP, ++order,
                Width.SHORT, "Hole timeout");
        def.define(REPLAY_OFFSET_SYNCS_TOPIC_CONFIG, Type.STRING, OffsetSyncs.DEFAULT_TOPIC, topicOrEmpty(),
                Importance.LOW, REPLAY_OFFSET_SYNCS_TOPIC_DOC, GROUP, ++order, Width.MEDIUM, "Offset syncs topic");
        def.define(REPLAY_TOPIC_CONFIGS_CONFIG, Type.STRING, TOPIC_CONFIGS_MODES.get(0),
                ValidString.in(TOPIC_CONFIGS_MODES.toArray(String[]::new)), Importance.LOW, REPLAY_TOPIC_CONFIGS_DOC,
                GROUP, ++order, Width.SHORT, "Target topic configs");
        KafkaClusterConfig.define(def, false, KAFKA_BOOTSTRAP_SERVERS_DOC);
        return def;
    }

    private static ConfigDef.Validator topicOrEmpty() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String topic = value == null ? "" : ((String) value).trim();
                if (!topic.isEmpty() && (!LEGAL_TOPIC.matcher(topic).matches() || topic.matches("\\.{1,2}"))) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, "is not a legal topic "
                            + "name (letters, digits, '.', '_', '-', at most 249 characters)");
                }
            }

            @Override
            public String toString() {
                return "a topic name, or empty";
            }
        };
    }

    private static ConfigDef.Validator incarnationValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String problem = IncarnationSelection.problem((String) value);
                if (problem != null) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, problem);
                }
            }

            @Override
            public String toString() { // the config reference prints it: a lambda's name changes every build
                return "latest, all, legacy, an incarnation id (clusterId.topicId), or a topic id";
            }
        };
    }

    /** Prints the keys as HTML, like Kafka's own config classes. */
    public static void main(String[] args) {
        System.out.println(configDef().toHtml(4, key -> "replay_" + key));
    }

    public S3Connection connection() {
        return connection;
    }

    public List<String> topics() {
        return getList(REPLAY_TOPICS_CONFIG).stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    /** The topic regex, when replay.topics.regex is set. */
    public Optional<Pattern> topicsRegex() {
        String regex = getString(REPLAY_TOPICS_REGEX_CONFIG);
        return regex.isEmpty() ? Optional.empty() : Optional.of(Pattern.compile(regex));
    }

    public TopicFormat topicFormat() {
        return TopicFormat.parse(getString(REPLAY_TOPIC_FORMAT_CONFIG));
    }

    public ReplayRange range() {
        return new ReplayRange(getLong(REPLAY_START_OFFSET_CONFIG), getLong(REPLAY_END_OFFSET_CONFIG),
                instant(REPLAY_START_TIME_CONFIG), instant(REPLAY_END_TIME_CONFIG));
    }

    private Long instant(String key) {
        String s = getString(key).trim();
        return s.isEmpty() ? null : ConfigValidators.parseInstantMillis(s);
    }

    public boolean follow() {
        return getBoolean(REPLAY_FOLLOW_CONFIG);
    }

    public long followIntervalMs() {
        return getLong(REPLAY_FOLLOW_INTERVAL_MS_CONFIG);
    }

    public boolean preservePartitions() {
        return "preserve".equals(getString(REPLAY_PARTITIONING_CONFIG));
    }

    public int batchRecords() {
        return getInt(REPLAY_BATCH_RECORDS_CONFIG);
    }

    public int batchBytes() {
        return getInt(REPLAY_BATCH_BYTES_CONFIG);
    }

    /** True with Connect's {@code errors.tolerance=all}: a corrupt segment is reported and skipped. */
    public boolean toleratesErrors() {
        return "all".equalsIgnoreCase(String.valueOf(originals().get(ERRORS_TOLERANCE_CONFIG)).trim());
    }

    /** The Admin client's settings: every {@code kafka.*} key (or older {@code replay.admin.*}), unprefixed. */
    public Map<String, Object> adminConfig() {
        return KafkaClusterConfig.adminConfig(this, LEGACY_ADMIN_PREFIX);
    }

    public boolean hasAdmin() {
        Map<String, String> props = new java.util.HashMap<>();
        originalsStrings().forEach(props::put);
        return KafkaClusterConfig.isSet(props, LEGACY_ADMIN_PREFIX);
    }

    /**
     * The topic to record offset syncs in: set, and replayed with partitions preserved into a cluster the
     * connector can reach ({@code kafka.*}); empty otherwise.
     */
    public Optional<String> offsetSyncsTopic() {
        String topic = getString(REPLAY_OFFSET_SYNCS_TOPIC_CONFIG).trim();
        return topic.isEmpty() || !preservePartitions() || !hasAdmin() ? Optional.empty() : Optional.of(topic);
    }

    /** True with {@code replay.topic.configs=preserve}: created targets get the archived topic's configs. */
    public boolean preserveTopicConfigs() {
        return "preserve".equals(getString(REPLAY_TOPIC_CONFIGS_CONFIG));
    }

    /** Which incarnations to replay. */
    public IncarnationSelection incarnations() {
        return new IncarnationSelection(getString(REPLAY_INCARNATION_CONFIG).trim());
    }

    public long holeTimeoutMs() {
        return getLong(REPLAY_HOLE_TIMEOUT_MS_CONFIG);
    }

    /**
     * {@code validate()}'s checks between keys, each on the key to fix: the S3 key pairs, then, once every key is
     * valid and the pairs agree, {@link #crossFieldErrors()}.
     */
    public static Map<String, String> crossFieldErrors(ConnectorValidation.Keys keys) {
        Map<String, String> s3 = S3ConnectionConfig.crossFieldErrors(keys.props(), "", null);
        return s3.isEmpty() && keys.allValid() ? new ArchiveReplaySourceConfig(keys.props()).crossFieldErrors() : s3;
    }

    /**
     * Checks between keys that no single validator can make, each reported on the key to fix. Empty when the
     * configuration is consistent.
     */
    public Map<String, String> crossFieldErrors() {
        Map<String, String> errors = new LinkedHashMap<>();
        boolean listed = !topics().isEmpty();
        boolean regex = topicsRegex().isPresent();
        if (listed && regex) {
            errors.put(REPLAY_TOPICS_REGEX_CONFIG,
                    "set " + REPLAY_TOPICS_CONFIG + " or " + REPLAY_TOPICS_REGEX_CONFIG + ", not both");
        } else if (!listed && !regex) {
            errors.put(REPLAY_TOPICS_CONFIG, "set " + REPLAY_TOPICS_CONFIG + " or " + REPLAY_TOPICS_REGEX_CONFIG
                    + " to choose the archived topics");
        }
        for (String topic : topics()) {
            try {
                topicFormat().target(topic);
            } catch (IllegalArgumentException e) {
                errors.putIfAbsent(REPLAY_TOPIC_FORMAT_CONFIG, e.getMessage());
            }
        }
        ReplayRange r = range();
        if (r.startOffset() != null && r.startTime() != null) {
            errors.put(REPLAY_START_TIME_CONFIG,
                    "set " + REPLAY_START_OFFSET_CONFIG + " or " + REPLAY_START_TIME_CONFIG + ", not both");
        }
        if (r.endOffset() != null && r.endTime() != null) {
            errors.put(REPLAY_END_TIME_CONFIG,
                    "set " + REPLAY_END_OFFSET_CONFIG + " or " + REPLAY_END_TIME_CONFIG + ", not both");
        }
        if (r.startOffset() != null && r.endOffset() != null && r.endOffset() <= r.startOffset()) {
            errors.put(REPLAY_END_OFFSET_CONFIG, REPLAY_END_OFFSET_CONFIG + " (" + r.endOffset()
                    + ") must be greater than " + REPLAY_START_OFFSET_CONFIG + " (" + r.startOffset()
                    + "): the end is exclusive");
        }
        if (r.startTime() != null && r.endTime() != null && r.endTime() <= r.startTime()) {
            errors.put(REPLAY_END_TIME_CONFIG, REPLAY_END_TIME_CONFIG + " (" + getString(REPLAY_END_TIME_CONFIG)
                    + ") must be after " + REPLAY_START_TIME_CONFIG + " (" + getString(REPLAY_START_TIME_CONFIG)
                    + "): the end is exclusive");
        }
        if (preservePartitions() && !hasAdmin()) {
            errors.put(KafkaClusterConfig.BOOTSTRAP_SERVERS_CONFIG, "must be set with " + REPLAY_PARTITIONING_CONFIG
                    + "=preserve: the connector checks that each target topic has at least as many partitions as "
                    + "the archived one (set it to the worker's bootstrap.servers), or use "
                    + REPLAY_PARTITIONING_CONFIG + "=key");
        }
        return errors;
    }
}
