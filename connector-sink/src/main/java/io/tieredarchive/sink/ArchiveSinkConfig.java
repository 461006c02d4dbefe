package io.tieredarchive.sink;

import io.tieredarchive.config.KafkaClusterConfig;
import io.tieredarchive.config.LocalTierConfig;
import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.config.SegmentConfig;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.nio.file.Path;
import java.util.Map;

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
        return def;
    }

    public Path localDir() {
        return Path.of(getString(LocalTierConfig.LOCAL_DIR).trim());
    }

    public int segmentBytes() {
        return getInt(SegmentConfig.SEGMENT_BYTES);
    }

    public long segmentMs() {
        return getLong(SegmentConfig.SEGMENT_MS);
    }

    public int batchBytes() {
        return getInt(SegmentConfig.BATCH_BYTES);
    }

    public String compressionType() {
        return getString(SegmentConfig.COMPRESSION_TYPE);
    }

    /** The codec level, or null for the codec's default. */
    public Integer compressionLevel() {
        return getInt(SegmentConfig.COMPRESSION_LEVEL);
    }

    public CommitMode commitMode() {
        return CommitMode.of(getString(LocalTierConfig.COMMIT_MODE));
    }

    /** The Admin client's settings for the archived topics' cluster ({@code kafka.*}). */
    public Map<String, Object> adminConfig() {
        return KafkaClusterConfig.adminConfig(this, null);
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
