package io.tieredarchive.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;

/** Local tier keys: where segments are written and when they leave the worker's disk. */
public final class LocalTierConfig {

    public static final String GROUP = "Local tier";

    public static final String LOCAL_DIR_CONFIG = "local.dir";
    private static final String LOCAL_DIR_DOC = "Directory on the worker's disk for active and sealed segments, "
            + "one sub-directory per topic-partition ('<topic>-<partition>'). Use a dedicated directory per "
            + "connector; it is created when missing.";

    public static final String TIER_UPLOAD_DELAY_MS_CONFIG = "tier.upload.delay.ms";
    private static final String TIER_UPLOAD_DELAY_MS_DOC = "How long a sealed segment waits before it is "
            + "uploaded to S3.";
    public static final long TIER_UPLOAD_DELAY_MS_DEFAULT = 0L;

    public static final String TIER_MANIFEST_MAX_DELAY_MS_CONFIG = "tier.manifest.max.delay.ms";
    private static final String TIER_MANIFEST_MAX_DELAY_MS_DOC = "How long an uploaded segment waits at most to "
            + "be registered in its partition's manifest together with others (up to 4 segments per update). Its "
            + "records are durable, committed and readable before: readers find segments the manifest does not "
            + "name yet by listing. A longer wait lets quiet partitions, which seal one segment per segment.ms, "
            + "share manifest updates (fewer S3 requests); keep it at least 3 times segment.ms for that. 0 "
            + "registers every segment at once.";
    public static final long TIER_MANIFEST_MAX_DELAY_MS_DEFAULT = 60 * 60 * 1000L;

    public static final String LOCAL_RETENTION_MS_CONFIG = "local.retention.ms";
    private static final String LOCAL_RETENTION_MS_DOC = "A sealed segment's local copy is deleted once it is "
            + "uploaded and verified in S3 and was sealed longer ago than this. -1 keeps local copies until "
            + "local.retention.bytes needs the space.";
    public static final long LOCAL_RETENTION_MS_DEFAULT = 60 * 60 * 1000L;

    public static final String LOCAL_RETENTION_BYTES_CONFIG = "local.retention.bytes";
    private static final String LOCAL_RETENTION_BYTES_DOC = "When the sealed segments on local disk pass this "
            + "size, the oldest uploaded and verified ones are deleted first, whatever their age. -1 means no "
            + "size limit.";
    public static final long LOCAL_RETENTION_BYTES_DEFAULT = -1L;

    public static final String COMMIT_MODE_CONFIG = "commit.mode";
    private static final String COMMIT_MODE_DOC = "Which records the sink commits to Kafka: 'remote' (records "
            + "whose segment is uploaded and verified in S3) or 'local' (records fsynced in a sealed local segment; "
            + "the segment is still uploaded later, even after its partition moved to another worker).";
    public static final CommitMode COMMIT_MODE_DEFAULT = CommitMode.REMOTE;

    private LocalTierConfig() {
    }

    public static ConfigDef define(ConfigDef def) {
        def.define(LOCAL_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ConfigValidators.path(),
                Importance.HIGH, LOCAL_DIR_DOC, GROUP, 1, Width.LONG, "Local directory");
        def.define(TIER_UPLOAD_DELAY_MS_CONFIG, Type.LONG, TIER_UPLOAD_DELAY_MS_DEFAULT, Range.atLeast(0L),
                Importance.LOW, TIER_UPLOAD_DELAY_MS_DOC, GROUP, 2, Width.SHORT, "Upload delay");
        def.define(LOCAL_RETENTION_MS_CONFIG, Type.LONG, LOCAL_RETENTION_MS_DEFAULT, Range.atLeast(-1L),
                Importance.MEDIUM, LOCAL_RETENTION_MS_DOC, GROUP, 3, Width.SHORT, "Local retention (time)");
        def.define(LOCAL_RETENTION_BYTES_CONFIG, Type.LONG, LOCAL_RETENTION_BYTES_DEFAULT, Range.atLeast(-1L),
                Importance.MEDIUM, LOCAL_RETENTION_BYTES_DOC, GROUP, 4, Width.SHORT, "Local retention (size)");
        def.define(COMMIT_MODE_CONFIG, Type.STRING, COMMIT_MODE_DEFAULT.configValue(),
                ValidString.in(CommitMode.configValues()),
                Importance.MEDIUM, COMMIT_MODE_DOC, GROUP, 5, Width.SHORT, "Commit mode");
        def.define(TIER_MANIFEST_MAX_DELAY_MS_CONFIG, Type.LONG, TIER_MANIFEST_MAX_DELAY_MS_DEFAULT,
                Range.atLeast(0L), Importance.LOW, TIER_MANIFEST_MAX_DELAY_MS_DOC, GROUP, 6, Width.SHORT,
                "Manifest registration delay");
        return def;
    }
}
