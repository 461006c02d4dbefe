package io.tieredarchive.source;

import io.tieredarchive.dr.GroupRestoreSettings;
import io.tieredarchive.dr.OffsetSyncs;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.config.KafkaClusterConfig;
import io.tieredarchive.config.ConfigValidators;
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

    public static final String TOPICS = "replay.topics";
    private static final String TOPICS_DOC = "Archived topics to replay, comma-separated. Set this or "
            + "replay.topics.regex, not both.";

    public static final String TOPICS_REGEX = "replay.topics.regex";
    private static final String TOPICS_REGEX_DOC = "Java regular expression; every archived topic whose whole name "
            + "matches it is replayed. Set this or replay.topics, not both. With replay.follow=true, topics that "
            + "appear in the archive later are picked up too.";

    public static final String TOPIC_FORMAT = "replay.topic.format";
    private static final String TOPIC_FORMAT_DOC = "Name of the topic each archived topic is replayed into; "
            + "${topic} stands for the archived topic's name, e.g. '${topic}.restored'. The default replays into "
            + "topics of the original names.";
    public static final String TOPIC_FORMAT_DEFAULT = TopicFormat.TOPIC_PLACEHOLDER;

    public static final String START_OFFSET = "replay.start.offset";
    private static final String START_OFFSET_DOC = "First offset replayed in every partition (inclusive). Unset: "
            + "from the first archived record, or from replay.start.time. Set this or replay.start.time, not both. "
            + "A partition with a stored source offset resumes there instead.";

    public static final String END_OFFSET = "replay.end.offset";
    private static final String END_OFFSET_DOC = "First offset not replayed in every partition (exclusive). Unset: "
            + "to the end of the archive, or to replay.end.time. Set this or replay.end.time, not both.";

    public static final String START_TIME = "replay.start.time";
    private static final String START_TIME_DOC = "Replay from the first record (in offset order) whose timestamp "
            + "is at or after this instant: ISO-8601 (2026-01-31T12:00:00Z) or epoch milliseconds. Empty: no time "
            + "start.";

    public static final String END_TIME = "replay.end.time";
    private static final String END_TIME_DOC = "Stop before the first record (in offset order, after the start) "
            + "whose timestamp is at or after this instant (exclusive): ISO-8601 or epoch milliseconds. Empty: no "
            + "time end.";

    public static final String FOLLOW = "replay.follow";
    private static final String FOLLOW_DOC = "Keep replaying: after the end of the archive, look for newly "
            + "archived segments (and, with replay.topics.regex, new topics) every replay.follow.interval.ms. "
            + "False: each partition stops at the end of what is archived when it gets there.";

    public static final String FOLLOW_INTERVAL_MS = "replay.follow.interval.ms";
    private static final String FOLLOW_INTERVAL_MS_DOC = "With replay.follow=true, how often a partition that "
            + "reached the end of the archive looks for new segments, and how often the connector looks for new "
            + "archived partitions. Each look costs one or two S3 requests per partition.";
    private static final long FOLLOW_INTERVAL_MS_DEFAULT = 30_000L;

    public static final String PARTITIONING = "replay.partitioning";
    private static final String PARTITIONING_DOC = "'preserve': each record goes to the partition it was archived "
            + "from; the target topic needs at least as many partitions (checked at start through "
            + "kafka.*, and created with that many when topic.creation.default.* is set). 'key': the "
            + "producer's partitioner chooses by key, so the target may have any number of partitions.";
    public static final List<String> PARTITIONINGS = List.of("preserve", "key");

    public static final String BATCH_RECORDS = "replay.batch.records";
    private static final String BATCH_RECORDS_DOC = "Most records one poll hands to Connect.";
    private static final int BATCH_RECORDS_DEFAULT = 10_000;

    public static final String BATCH_BYTES = "replay.batch.bytes";
    private static final String BATCH_BYTES_DOC = "Most bytes (keys, values and headers) one poll hands to "
            + "Connect; bounds the task's memory with replay.batch.records.";
    private static final int BATCH_BYTES_DEFAULT = 8 * 1024 * 1024;

    public static final String INCARNATION = "replay.incarnation";
    private static final String INCARNATION_DOC = "Which incarnations of each topic to replay (a topic deleted and "
            + "created again, or a topic of the same name from another cluster, is archived as another "
            + "incarnation): 'latest' (the newest archived), 'all' (every one, oldest first, each from its start, "
            + "into the same target), 'legacy' (archives written before incarnations existed), an incarnation id "
            + "<clusterId>.<topicId>, or a topic id. 'tiered-archive ls <topic>' lists them.";

    public static final String HOLE_TIMEOUT_MS = "replay.hole.timeout.ms";
    private static final String HOLE_TIMEOUT_MS_DOC = "How long a partition waits at a hole (offsets no segment in "
            + "S3 covers yet, between segments that are there: a segment its writer is still uploading) before the "
            + "task fails naming it. The replay never steps over a hole.";
    private static final long HOLE_TIMEOUT_MS_DEFAULT = 10 * 60 * 1000L;

    public static final String OFFSET_SYNCS_TOPIC = GroupRestoreSettings.SYNCS_TOPIC;
    private static final String OFFSET_SYNCS_TOPIC_DOC = "Compacted topic of the target cluster where each task "
            + "records offset syncs: where runs of replayed records landed (original offsets to target offsets), "
            + "so that 'tiered-archive groups' can translate consumer group offsets exactly. Created by the "
            + "connector when missing (compacted, one partition; topic.creation.default.replication.factor when "
            + "set). Used with replay.partitioning=preserve; empty: no syncs.";

    public static final String TOPIC_CONFIGS = "replay.topic.configs";
    private static final String TOPIC_CONFIGS_DOC = "'preserve': a target topic the connector creates "
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
    public static final String ERRORS_TOLERANCE = "errors.tolerance";

    private final S3Connection connection;

    public ArchiveReplaySourceConfig(Map<String, String> props) {
        super(configDef(), props);
        connection = S3ConnectionConfig.parse(this, "");
    }

    public static ConfigDef configDef() {
        ConfigDef def = RestoreCacheConfig.define(S3ConnectionConfig.define(new ConfigDef(), ""));
        int order = 0;
        def.define(TOPICS, Type.LIST, "", Importance.HIGH, TOPICS_DOC, GROUP, ++order, Width.LONG, "Topics");
        def.define(TOPICS_REGEX, Type.STRING, "", ConfigValidators.regexOrEmpty(), Importance.HIGH,
                TOPICS_REGEX_DOC, GROUP, ++order, Width.LONG, "Topics regex");
        def.define(TOPIC_FORMAT, Type.STRING, TOPIC_FORMAT_DEFAULT, TopicFormat.validator(), Importance.HIGH,
                TOPIC_FORMAT_DOC, GROUP, ++order, Width.MEDIUM, "Target topic");
        def.define(START_OFFSET, Type.LONG, null, ConfigValidators.nullOr(Range.atLeast(0L)), Importance.MEDIUM,
                START_OFFSET_DOC, GROUP, ++order, Width.SHORT, "Start offset");
        def.define(END_OFFSET, Type.LONG, null, ConfigValidators.nullOr(Range.atLeast(0L)), Importance.MEDIUM,
                END_OFFSET_DOC, GROUP, ++order, Width.SHORT, "End offset");
        def.define(START_TIME, Type.STRING, "", ConfigValidators.instantOrEmpty(), Importance.MEDIUM,
                START_TIME_DOC, GROUP, ++order, Width.MEDIUM, "Start time");
        def.define(END_TIME, Type.STRING, "", ConfigValidators.instantOrEmpty(), Importance.MEDIUM,
                END_TIME_DOC, GROUP, ++order, Width.MEDIUM, "End time");
        def.define(FOLLOW, Type.BOOLEAN, false, Importance.MEDIUM, FOLLOW_DOC, GROUP, ++order, Width.SHORT,
                "Follow");
        def.define(FOLLOW_INTERVAL_MS, Type.LONG, FOLLOW_INTERVAL_MS_DEFAULT, Range.between(10L, 86_400_000L),
                Importance.LOW, FOLLOW_INTERVAL_MS_DOC, GROUP, ++order, Width.SHORT, "Follow interval");
        def.define(PARTITIONING, Type.STRING, PARTITIONINGS.get(0),
                ValidString.in(PARTITIONINGS.toArray(String[]::new)), Importance.MEDIUM, PARTITIONING_DOC, GROUP,
                ++order, Width.SHORT, "Partitioning");
        def.define(BATCH_RECORDS, Type.INT, BATCH_RECORDS_DEFAULT, Range.between(1, 1_000_000), Importance.LOW,
                BATCH_RECORDS_DOC, GROUP, ++order, Width.SHORT, "Records per poll");
        def.define(BATCH_BYTES, Type.INT, BATCH_BYTES_DEFAULT, Range.between(64 * 1024, 512 * 1024 * 1024),
                Importance.LOW, BATCH_BYTES_DOC, GROUP, ++order, Width.SHORT, "Bytes per poll");
        def.define(INCARNATION, Type.STRING, IncarnationSelection.LATEST, incarnationValidator(), Importance.MEDIUM,
                INCARNATION_DOC, GROUP, ++order, Width.MEDIUM, "Incarnation");
        def.define(HOLE_TIMEOUT_MS, Type.LONG, HOLE_TIMEOUT_MS_DEFAULT, Range.between(0L, 7 * 86_400_000L),
                Importance.LOW, HOLE_TIMEOUT_MS_DOC, GROUP, ++order, Width.SHORT, "Hole timeout");
        def.define(OFFSET_SYNCS_TOPIC, Type.STRING, OffsetSyncs.DEFAULT_TOPIC, topicOrEmpty(), Importance.LOW,
                OFFSET_SYNCS_TOPIC_DOC, GROUP, ++order, Width.MEDIUM, "Offset syncs topic");
        def.define(TOPIC_CONFIGS, Type.STRING, TOPIC_CONFIGS_MODES.get(0),
                ValidString.in(TOPIC_CONFIGS_MODES.toArray(String[]::new)), Importance.LOW, TOPIC_CONFIGS_DOC,
                GROUP, ++order, Width.SHORT, "Target topic configs");
        KafkaClusterConfig.define(def, false, KAFKA_BOOTSTRAP_SERVERS_DOC);
        return def;
    }

    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

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
        return getList(TOPICS).stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    /** The topic regex, when replay.topics.regex is set. */
    public Optional<Pattern> topicsRegex() {
        String regex = getString(TOPICS_REGEX);
        return regex.isEmpty() ? Optional.empty() : Optional.of(Pattern.compile(regex));
    }

    public TopicFormat topicFormat() {
        return TopicFormat.parse(getString(TOPIC_FORMAT));
    }

    public ReplayRange range() {
        return new ReplayRange(getLong(START_OFFSET), getLong(END_OFFSET), instant(START_TIME), instant(END_TIME));
    }

    private Long instant(String key) {
        String s = getString(key).trim();
        return s.isEmpty() ? null : ConfigValidators.parseInstantMillis(s);
    }

    public boolean follow() {
        return getBoolean(FOLLOW);
    }

    public long followIntervalMs() {
        return getLong(FOLLOW_INTERVAL_MS);
    }

    public boolean preservePartitions() {
        return "preserve".equals(getString(PARTITIONING));
    }

    public int batchRecords() {
        return getInt(BATCH_RECORDS);
    }

    public int batchBytes() {
        return getInt(BATCH_BYTES);
    }

    /** True with Connect's {@code errors.tolerance=all}: a corrupt segment is reported and skipped. */
    public boolean toleratesErrors() {
        return "all".equalsIgnoreCase(String.valueOf(originals().get(ERRORS_TOLERANCE)).trim());
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
        String topic = getString(OFFSET_SYNCS_TOPIC).trim();
        return topic.isEmpty() || !preservePartitions() || !hasAdmin() ? Optional.empty() : Optional.of(topic);
    }

    /** True with {@code replay.topic.configs=preserve}: created targets get the archived topic's configs. */
    public boolean preserveTopicConfigs() {
        return "preserve".equals(getString(TOPIC_CONFIGS));
    }

    /** Which incarnations to replay. */
    public IncarnationSelection incarnations() {
        return new IncarnationSelection(getString(INCARNATION).trim());
    }

    public long holeTimeoutMs() {
        return getLong(HOLE_TIMEOUT_MS);
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
            errors.put(TOPICS_REGEX, "set " + TOPICS + " or " + TOPICS_REGEX + ", not both");
        } else if (!listed && !regex) {
            errors.put(TOPICS, "set " + TOPICS + " or " + TOPICS_REGEX + " to choose the archived topics");
        }
        for (String topic : topics()) {
            try {
                topicFormat().target(topic);
            } catch (IllegalArgumentException e) {
                errors.putIfAbsent(TOPIC_FORMAT, e.getMessage());
            }
        }
        ReplayRange r = range();
        if (r.startOffset() != null && r.startTime() != null) {
            errors.put(START_TIME, "set " + START_OFFSET + " or " + START_TIME + ", not both");
        }
        if (r.endOffset() != null && r.endTime() != null) {
            errors.put(END_TIME, "set " + END_OFFSET + " or " + END_TIME + ", not both");
        }
        if (r.startOffset() != null && r.endOffset() != null && r.endOffset() <= r.startOffset()) {
            errors.put(END_OFFSET, END_OFFSET + " (" + r.endOffset() + ") must be greater than " + START_OFFSET
                    + " (" + r.startOffset() + "): the end is exclusive");
        }
        if (r.startTime() != null && r.endTime() != null && r.endTime() <= r.startTime()) {
            errors.put(END_TIME, END_TIME + " (" + getString(END_TIME) + ") must be after " + START_TIME + " ("
                    + getString(START_TIME) + "): the end is exclusive");
        }
        if (preservePartitions() && !hasAdmin()) {
            errors.put(KafkaClusterConfig.BOOTSTRAP_SERVERS_CONFIG, "must be set with " + PARTITIONING + "=preserve: the connector "
                    + "checks that each target topic has at least as many partitions as the archived one (set it "
                    + "to the worker's bootstrap.servers), or use " + PARTITIONING + "=key");
        }
        return errors;
    }
}
