package io.tieredarchive.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Segment and compression keys: how the sink cuts and compresses segments. */
public final class SegmentConfig {

    public static final String SEGMENT_GROUP = "Segment";
    public static final String COMPRESSION_GROUP = "Compression";

    public static final String SEGMENT_BYTES_CONFIG = "segment.bytes";
    private static final String SEGMENT_BYTES_DOC = "A segment is sealed once its .log file reaches this size. "
            + "Kafka's index format keeps byte positions as 32-bit integers, so the limit is 2 GiB - 1. Each "
            + "sealed segment becomes one set of S3 objects.";
    public static final int SEGMENT_BYTES_DEFAULT = 256 * 1024 * 1024;

    public static final String SEGMENT_MS_CONFIG = "segment.ms";
    private static final String SEGMENT_MS_DOC = "A segment is sealed this long (wall clock) after its first "
            + "record was appended, even when no more records arrive, so quiet partitions still reach S3.";
    public static final long SEGMENT_MS_DEFAULT = 10 * 60 * 1000L;

    public static final String BATCH_BYTES_CONFIG = "batch.bytes";
    private static final String BATCH_BYTES_DOC = "Uncompressed size of one record batch. Larger batches compress "
            + "better; the sink holds at most about this much per active partition in memory. It must not be "
            + "larger than segment.bytes.";
    public static final int BATCH_BYTES_DEFAULT = 1024 * 1024;

    public static final String COMPRESSION_TYPE_CONFIG = "compression.type";
    private static final String COMPRESSION_TYPE_DOC = "Codec of every record batch: none, gzip, snappy, lz4 or "
            + "zstd. Kafka's own codecs, so kafka-dump-log.sh and any Kafka reader decode them.";
    public static final List<String> COMPRESSION_TYPES = List.of("none", "gzip", "snappy", "lz4", "zstd");
    public static final String COMPRESSION_TYPE_DEFAULT = "zstd";

    public static final String COMPRESSION_LEVEL_CONFIG = "compression.level";
    private static final String COMPRESSION_LEVEL_DOC = "Codec level; unset means the codec's default (zstd "
            + CompressionCodec.ZSTD.defaultLevel() + ", gzip " + CompressionCodec.GZIP.defaultLevel() + ", lz4 "
            + CompressionCodec.LZ4.defaultLevel() + "). Valid ranges: gzip " + CompressionCodec.GZIP.levelRange()
            + ", lz4 " + CompressionCodec.LZ4.levelRange() + ", zstd " + CompressionCodec.ZSTD.levelRange()
            + "; none and snappy take no level.";

    private SegmentConfig() {
    }

    public static ConfigDef define(ConfigDef def) {
        def.define(SEGMENT_BYTES_CONFIG, Type.INT, SEGMENT_BYTES_DEFAULT, Range.between(64 * 1024, Integer.MAX_VALUE),
                Importance.MEDIUM, SEGMENT_BYTES_DOC, SEGMENT_GROUP, 1, Width.SHORT, "Segment size");
        def.define(SEGMENT_MS_CONFIG, Type.LONG, SEGMENT_MS_DEFAULT, Range.atLeast(100L),
                Importance.MEDIUM, SEGMENT_MS_DOC, SEGMENT_GROUP, 2, Width.SHORT, "Segment age");
        def.define(BATCH_BYTES_CONFIG, Type.INT, BATCH_BYTES_DEFAULT, Range.between(1024, 64 * 1024 * 1024),
                Importance.LOW, BATCH_BYTES_DOC, SEGMENT_GROUP, 3, Width.SHORT, "Batch size");
        def.define(COMPRESSION_TYPE_CONFIG, Type.STRING, COMPRESSION_TYPE_DEFAULT,
                ValidString.in(COMPRESSION_TYPES.toArray(String[]::new)),
                Importance.MEDIUM, COMPRESSION_TYPE_DOC, COMPRESSION_GROUP, 1, Width.SHORT, "Codec");
        def.define(COMPRESSION_LEVEL_CONFIG, Type.INT, null, null,
                Importance.LOW, COMPRESSION_LEVEL_DOC, COMPRESSION_GROUP, 2, Width.SHORT, "Codec level");
        return def;
    }

    /**
     * Checks between the segment keys (batch size within segment size, level within the codec's range), each
     * reported on the key to fix; made whenever the keys they read are valid, whatever the other keys hold.
     */
    public static Map<String, String> crossFieldErrors(ConnectorValidation.Keys keys) {
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, Object> values = keys.validValues();
        if (values.get(SEGMENT_BYTES_CONFIG) instanceof Integer s
                && values.get(BATCH_BYTES_CONFIG) instanceof Integer b && b > s) {
            errors.put(SEGMENT_BYTES_CONFIG, "segment.bytes (" + s + ") must be at least batch.bytes (" + b + ")");
        }
        if (values.get(COMPRESSION_TYPE_CONFIG) instanceof String t
                && values.get(COMPRESSION_LEVEL_CONFIG) instanceof Integer l) {
            String problem = levelProblem(t, l);
            if (problem != null) {
                errors.put(COMPRESSION_LEVEL_CONFIG, problem);
            }
        }
        return errors;
    }

    /** Why {@code level} is wrong for codec {@code type}, or null when it is fine. */
    static String levelProblem(String type, int level) {
        return CompressionCodec.forName(type).levelProblem(level);
    }
}
