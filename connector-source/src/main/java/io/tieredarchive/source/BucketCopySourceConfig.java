package io.tieredarchive.source;

import io.tieredarchive.config.ConfigValidators;
import io.tieredarchive.config.ConnectorValidation;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.config.S3ConnectionConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configuration of {@link BucketCopySourceConnector}: the source and destination connections ({@code source.s3.*},
 * {@code destination.s3.*}; unset destination keys inherit the source's) and the {@code copy.*} keys.
 */
public class BucketCopySourceConfig extends AbstractConfig {

    public static final String SOURCE_PREFIX = "source.";
    public static final String DESTINATION_PREFIX = "destination.";
    private static final String GROUP = "Copy";

    public static final String COPY_MODE_CONFIG = "copy.mode";
    private static final String COPY_MODE_DOC = "How objects are copied. 'server-side': the store copies them "
            + "(CopyObject, UploadPartCopy), no data passes through the worker; needs source and destination on the "
            + "same store with the same credentials. 'stream': the task reads ranges and uploads them, in memory "
            + "only. 'auto': server-side when source and destination share endpoint, region and credentials, "
            + "stream otherwise; an object whose server-side copy is refused (cross-account access denied, not "
            + "implemented by the store) falls back to stream.";
    public static final String COPY_MODE_DEFAULT = "auto";

    public static final String COPY_CONCURRENCY_CONFIG = "copy.concurrency";
    private static final String COPY_CONCURRENCY_DOC = "Objects copied at once by one task, and parts of large "
            + "objects copied at once. Stream copies hold at most copy.concurrency x copy.part.size.bytes of heap "
            + "per task, the AWS SDK's share of each request and the task's clients included, so somewhat fewer "
            + "parts than this may be in flight (see docs/bucket-copy.md). Keep s3.max.concurrency at least this "
            + "high.";
    private static final int COPY_CONCURRENCY_DEFAULT = 8;

    public static final String COPY_PART_SIZE_BYTES_CONFIG = "copy.part.size.bytes";
    private static final String COPY_PART_SIZE_BYTES_DOC = "Size of the parts of a multipart copy. A stream copy holds "
            + "one part per buffer and uploads every object larger than this in parts. S3 requires at least 5 MiB; "
            + "when an object would need more than 10,000 parts a server-side copy uses larger parts, a stream "
            + "copy refuses the object with an error event.";
    public static final long PART_SIZE_MIN = S3ConnectionConfig.PART_SIZE_MIN;
    public static final long PART_SIZE_MAX = 1024L * 1024 * 1024;
    private static final long COPY_PART_SIZE_BYTES_DEFAULT = 8L * 1024 * 1024;

    public static final String COPY_MULTIPART_THRESHOLD_BYTES_CONFIG = "copy.multipart.threshold.bytes";
    private static final String COPY_MULTIPART_THRESHOLD_BYTES_DOC = "Objects larger than this are copied server-side "
            + "in parts (UploadPartCopy, copy.concurrency at a time) rather than by one CopyObject. CopyObject is "
            + "limited to 5 GiB, so larger objects always go in parts. Unset (the default): chosen by the destination "
            + "store. On AWS S3 (no destination.s3.endpoint, or an amazonaws.com one) 64 MiB, since AWS copies parts "
            + "in parallel and one CopyObject of a large object is slower. On other S3-compatible stores 5 GiB, one "
            + "CopyObject per object as rclone does, since stores that join parts after the fact write every byte "
            + "twice (S3Proxy's file-system backend does; measured in benchmark case 4). Set it to override either. "
            + "Must be at least copy.part.size.bytes; an unset threshold is never below it.";
    public static final long MULTIPART_THRESHOLD_MAX = 5L * 1024 * 1024 * 1024;
    /** The threshold on AWS S3: parallel part copies beat one CopyObject above it. */
    public static final long MULTIPART_THRESHOLD_AWS = 64L * 1024 * 1024;
    /** The threshold on other stores: one CopyObject for every object S3 allows it for. */
    public static final long MULTIPART_THRESHOLD_S3_COMPATIBLE = MULTIPART_THRESHOLD_MAX;

    public static final String COPY_INCLUDE_REGEX_CONFIG = "copy.include.regex";
    private static final String COPY_INCLUDE_REGEX_DOC = "Copy only objects whose key, relative to source.s3.prefix, "
            + "matches this Java regular expression in full. Empty: every object.";

    public static final String COPY_EXCLUDE_REGEX_CONFIG = "copy.exclude.regex";
    private static final String COPY_EXCLUDE_REGEX_DOC = "Do not copy objects whose key, relative to "
            + "source.s3.prefix, matches this Java regular expression in full. Applied after copy.include.regex.";

    public static final String COPY_SKIP_EXISTING_CONFIG = "copy.skip.existing";
    private static final String COPY_SKIP_EXISTING_DOC = "Skip an object when the destination already holds an object "
            + "of the same size and the same ETag (the same bytes, written as a whole or in the same parts). "
            + "Costs one HEAD request per object; makes re-running a copy cheap.";

    public static final String COPY_STORAGE_CLASS_PRESERVE_CONFIG = "copy.storage.class.preserve";
    private static final String COPY_STORAGE_CLASS_PRESERVE_DOC = "Give each copy the storage class of its source "
            + "object. When false, copies get destination.s3.storage.class (or the bucket's default).";

    public static final String COPY_EVENTS_TOPIC_CONFIG = "copy.events.topic";
    private static final String COPY_EVENTS_TOPIC_DOC = "Topic that receives one record per object: key = source "
            + "object key, value = {source, destination, status (copied, skipped, failed), size, etag, mode, "
            + "durationMs, time, ...}. Use JsonConverter with schemas.enable=false to read it as plain JSON.";

    /** Set by the connector on each task: which hash shard of the keys the task copies. Not user-facing. */
    public static final String TASK_SHARD = "copy.task.shard";
    public static final String TASK_SHARDS = "copy.task.shards";

    private static final ConfigDef CONFIG_DEF = build();

    private final S3Connection source;
    private final S3Connection destination;

    public BucketCopySourceConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        source = S3ConnectionConfig.parse(this, SOURCE_PREFIX);
        destination = S3ConnectionConfig.parse(this, DESTINATION_PREFIX, SOURCE_PREFIX);
    }

    /** The copy's keys (a copy: a {@code ConfigDef} can be changed by whoever holds it). */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG_DEF);
    }

    private static ConfigDef build() {
        ConfigDef def = new ConfigDef();
        S3ConnectionConfig.define(def, SOURCE_PREFIX);
        S3ConnectionConfig.define(def, DESTINATION_PREFIX, DESTINATION_PREFIX + S3ConnectionConfig.GROUP,
                SOURCE_PREFIX);
        int order = 0;
        def.define(COPY_EVENTS_TOPIC_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                new ConfigDef.NonEmptyString(), Importance.HIGH, COPY_EVENTS_TOPIC_DOC, GROUP, ++order, Width.MEDIUM,
                "Events topic");
        def.define(COPY_MODE_CONFIG, Type.STRING, COPY_MODE_DEFAULT, ValidString.in(CopyMode.configValues()),
                Importance.HIGH, COPY_MODE_DOC, GROUP, ++order, Width.SHORT, "Copy mode");
        def.define(COPY_CONCURRENCY_CONFIG, Type.INT, COPY_CONCURRENCY_DEFAULT, Range.between(1, 256),
                Importance.MEDIUM, COPY_CONCURRENCY_DOC, GROUP, ++order, Width.SHORT, "Concurrency");
        def.define(COPY_PART_SIZE_BYTES_CONFIG, Type.LONG, COPY_PART_SIZE_BYTES_DEFAULT,
                Range.between(PART_SIZE_MIN, PART_SIZE_MAX), Importance.MEDIUM, COPY_PART_SIZE_BYTES_DOC, GROUP, ++order,
                Width.SHORT, "Part size");
        def.define(COPY_MULTIPART_THRESHOLD_BYTES_CONFIG, Type.LONG, null,
                new UnsetOr(Range.between(PART_SIZE_MIN, MULTIPART_THRESHOLD_MAX)), Importance.MEDIUM,
                COPY_MULTIPART_THRESHOLD_BYTES_DOC, GROUP, ++order, Width.SHORT, "Multipart threshold");
        def.define(COPY_INCLUDE_REGEX_CONFIG, Type.STRING, "", ConfigValidators.regexOrEmpty(),
                Importance.MEDIUM, COPY_INCLUDE_REGEX_DOC, GROUP, ++order, Width.LONG, "Include");
        def.define(COPY_EXCLUDE_REGEX_CONFIG, Type.STRING, "", ConfigValidators.regexOrEmpty(),
                Importance.MEDIUM, COPY_EXCLUDE_REGEX_DOC, GROUP, ++order, Width.LONG, "Exclude");
        def.define(COPY_SKIP_EXISTING_CONFIG, Type.BOOLEAN, false,
                Importance.MEDIUM, COPY_SKIP_EXISTING_DOC, GROUP, ++order, Width.SHORT, "Skip existing");
        def.define(COPY_STORAGE_CLASS_PRESERVE_CONFIG, Type.BOOLEAN, false,
                Importance.LOW, COPY_STORAGE_CLASS_PRESERVE_DOC, GROUP, ++order, Width.SHORT,
                "Preserve storage class");
        return def;
    }

    /** Prints the keys as HTML, like Kafka's own config classes. */
    public static void main(String[] args) {
        System.out.println(configDef().toHtml(4, key -> "copy_" + key));
    }

    /**
     * {@code validate()}'s checks between keys, each on the key to fix: the S3 key pairs of the source and of the
     * destination, then, once every key is valid and the pairs agree, {@link #crossFieldErrors()}.
     */
    public static Map<String, String> crossFieldErrors(ConnectorValidation.Keys keys) {
        Map<String, String> errors = new LinkedHashMap<>(
                S3ConnectionConfig.crossFieldErrors(keys.props(), SOURCE_PREFIX, null));
        errors.putAll(S3ConnectionConfig.crossFieldErrors(keys.props(), DESTINATION_PREFIX, SOURCE_PREFIX));
        if (errors.isEmpty() && keys.allValid()) {
            errors.putAll(new BucketCopySourceConfig(keys.props()).crossFieldErrors());
        }
        return errors;
    }

    /**
     * Checks between keys that no single validator can make, as key -> reason (empty when valid). Made by
     * {@link BucketCopySourceConnector#validate} and again when the connector starts.
     */
    public Map<String, String> crossFieldErrors() {
        Map<String, String> errors = new LinkedHashMap<>();
        Long threshold = getLong(COPY_MULTIPART_THRESHOLD_BYTES_CONFIG);
        if (threshold != null && threshold < partSizeBytes()) {
            errors.put(COPY_MULTIPART_THRESHOLD_BYTES_CONFIG, "must be at least " + COPY_PART_SIZE_BYTES_CONFIG + " ("
                    + partSizeBytes() + "), but is " + threshold);
        }
        if (mode() == CopyMode.SERVER_SIDE && !source.sameStoreAndCredentials(destination)) {
            errors.put(COPY_MODE_CONFIG, "server-side needs source and destination on the same endpoint and region "
                    + "with the same credentials (the destination's credentials read the source); use 'auto' or "
                    + "'stream'");
        }
        String overlap = overlap(source, destination);
        if (overlap != null) {
            errors.put(DESTINATION_PREFIX + S3ConnectionConfig.S3_PREFIX_CONFIG, overlap);
        }
        return errors;
    }

    /** Why the destination may not be written where it is, or null when it may. */
    static String overlap(S3Connection source, S3Connection destination) {
        if (!source.bucket().equals(destination.bucket())
                || !Objects.equals(source.endpoint(), destination.endpoint())) {
            return null;
        }
        String s = source.prefix();
        String d = destination.prefix();
        if (s.equals(d) || isUnder(d, s) || isUnder(s, d)) {
            return "the destination s3://" + destination.bucket() + "/" + d + " overlaps the source s3://"
                    + source.bucket() + "/" + s + ": copies would be listed as sources, or overwrite them; "
                    + "choose prefixes that do not contain each other";
        }
        return null;
    }

    /** True when {@code inner} lies below {@code outer} ("" contains everything). */
    private static boolean isUnder(String inner, String outer) {
        return outer.isEmpty() || inner.startsWith(outer + "/");
    }

    public S3Connection source() {
        return source;
    }

    public S3Connection destination() {
        return destination;
    }

    public CopyMode mode() {
        return CopyMode.of(getString(COPY_MODE_CONFIG));
    }

    public int concurrency() {
        return getInt(COPY_CONCURRENCY_CONFIG);
    }

    public long partSizeBytes() {
        return getLong(COPY_PART_SIZE_BYTES_CONFIG);
    }

    /**
     * Server-side copies of objects above this go in parts: {@code copy.multipart.threshold.bytes} when set, else
     * the default of the destination store ({@link #isAwsS3}), and never below {@code copy.part.size.bytes}.
     */
    public long multipartThresholdBytes() {
        Long configured = getLong(COPY_MULTIPART_THRESHOLD_BYTES_CONFIG);
        if (configured != null) {
            return configured;
        }
        return Math.max(partSizeBytes(), isAwsS3(destination)
                ? MULTIPART_THRESHOLD_AWS : MULTIPART_THRESHOLD_S3_COMPATIBLE);
    }

    /** True for AWS S3: no endpoint override, or an endpoint of an amazonaws.com (or .com.cn) host. */
    static boolean isAwsS3(S3Connection connection) {
        if (connection.endpoint() == null) {
            return true;
        }
        String host;
        try {
            host = java.net.URI.create(connection.endpoint()).getHost();
        } catch (IllegalArgumentException e) {
            return false;
        }
        host = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn");
    }

    public Pattern includePattern() {
        return patternOrNull(getString(COPY_INCLUDE_REGEX_CONFIG));
    }

    public Pattern excludePattern() {
        return patternOrNull(getString(COPY_EXCLUDE_REGEX_CONFIG));
    }

    public boolean skipExisting() {
        return getBoolean(COPY_SKIP_EXISTING_CONFIG);
    }

    public boolean preserveStorageClass() {
        return getBoolean(COPY_STORAGE_CLASS_PRESERVE_CONFIG);
    }

    public String eventsTopic() {
        return getString(COPY_EVENTS_TOPIC_CONFIG);
    }

    /** A validator that lets the key be unset (null) and checks a set value with another. */
    private record UnsetOr(ConfigDef.Validator validator) implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null) {
                validator.ensureValid(name, value);
            }
        }

        @Override
        public String toString() {
            return "unset, or " + validator;
        }
    }

    private static Pattern patternOrNull(String regex) {
        return regex == null || regex.isEmpty() ? null : Pattern.compile(regex);
    }

    /** {@code copy.mode}. */
    public enum CopyMode {
        AUTO, SERVER_SIDE, STREAM;

        public String configValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static CopyMode of(String value) {
            for (CopyMode m : values()) {
                if (m.configValue().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("Unknown " + COPY_MODE_CONFIG + ": " + value);
        }

        static String[] configValues() {
            return java.util.Arrays.stream(values()).map(CopyMode::configValue).toArray(String[]::new);
        }
    }
}
