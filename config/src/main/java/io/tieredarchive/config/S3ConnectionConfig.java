package io.tieredarchive.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The S3 connection keys, defined once and usable bare ({@code s3.*}) or under a prefix
 * ({@code source.s3.*}, {@code destination.s3.*}).
 *
 * <p>With a prefix and a fallback prefix ({@link #parse(AbstractConfig, String, String)}), a key left unset under
 * the prefix takes the fallback's value: the copy connector's destination inherits the source's endpoint and
 * credentials unless told otherwise.
 */
public final class S3ConnectionConfig {

    public static final String GROUP = "S3";

    public static final String S3_BUCKET_CONFIG = "s3.bucket";
    private static final String S3_BUCKET_DOC = "Name of the S3 bucket.";

    public static final String S3_PREFIX_CONFIG = "s3.prefix";
    private static final String S3_PREFIX_DOC = "Key prefix of the objects this connector reads or writes, "
            + "without a leading slash. Empty means the bucket's root.";
    private static final String S3_PREFIX_DEFAULT = "";

    public static final String S3_REGION_CONFIG = "s3.region";
    private static final String S3_REGION_DOC = "AWS region of the bucket. S3-compatible stores usually accept any "
            + "region; 'us-east-1' is the conventional one.";
    private static final String S3_REGION_DEFAULT = "us-east-1";

    public static final String S3_ENDPOINT_CONFIG = "s3.endpoint";
    private static final String S3_ENDPOINT_DOC = "Endpoint URL of an S3-compatible store (MinIO, Ceph, S3Proxy), "
            + "e.g. 'http://127.0.0.1:9000'. Empty means AWS S3's regional endpoint.";
    private static final String S3_ENDPOINT_DEFAULT = "";

    public static final String S3_PATH_STYLE_ACCESS_CONFIG = "s3.path.style.access";
    private static final String S3_PATH_STYLE_ACCESS_DOC = "Address buckets as 'endpoint/bucket' instead of "
            + "'bucket.endpoint'. Most S3-compatible stores need true.";
    private static final boolean S3_PATH_STYLE_ACCESS_DEFAULT = false;

    public static final String S3_ACCESS_KEY_ID_CONFIG = "s3.access.key.id";
    private static final String S3_ACCESS_KEY_ID_DOC = "Static access key id. Leave unset (with "
            + "s3.secret.access.key) to use the AWS SDK's default credentials chain "
            + "(environment, profile, web identity, instance role).";

    public static final String S3_SECRET_ACCESS_KEY_CONFIG = "s3.secret.access.key";
    private static final String S3_SECRET_ACCESS_KEY_DOC = "Static secret access key, set together with "
            + "s3.access.key.id. Never logged, and masked in validation responses; but Connect's "
            + "GET /connectors/<name>/config returns the connector config as posted, so keep the secret out of it "
            + "with a config provider, e.g. ${file:/etc/kafka-connect/s3.properties:secret} (FileConfigProvider), "
            + "or use the default credentials chain.";

    public static final String S3_CHECKSUM_MODE_CONFIG = "s3.checksum.mode";
    private static final String S3_CHECKSUM_MODE_DOC = "When the SDK sends request checksums: 'when_supported' "
            + "(the SDK's default, CRC32 on every upload) or 'when_required' for stores that reject them.";
    public static final List<String> CHECKSUM_MODES = List.of("when_supported", "when_required");

    public static final String S3_STORAGE_CLASS_CONFIG = "s3.storage.class";
    private static final String S3_STORAGE_CLASS_DOC = "Storage class of uploaded objects. Empty means the bucket's "
            + "default. Archive classes (GLACIER, DEEP_ARCHIVE) cannot serve ranged reads without a restore first.";
    public static final List<String> STORAGE_CLASSES = List.of("", "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA",
            "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "EXPRESS_ONEZONE");

    public static final String S3_SSE_CONFIG = "s3.sse";
    private static final String S3_SSE_DOC = "Server-side encryption of uploaded objects: 'none', 'AES256' (SSE-S3) "
            + "or 'aws:kms' (SSE-KMS).";
    public static final List<String> SSE_MODES = List.of("none", "AES256", "aws:kms");

    public static final String S3_SSE_KMS_KEY_ID_CONFIG = "s3.sse.kms.key.id";
    private static final String S3_SSE_KMS_KEY_ID_DOC = "KMS key id or ARN for s3.sse=aws:kms. Empty means the "
            + "account's AWS-managed key.";

    public static final String S3_PART_SIZE_BYTES_CONFIG = "s3.part.size.bytes";
    private static final String S3_PART_SIZE_BYTES_DOC = "Objects larger than this are uploaded in parts of this size. "
            + "S3 requires at least 5 MiB.";
    public static final long PART_SIZE_MIN = 5L * 1024 * 1024;
    private static final long S3_PART_SIZE_BYTES_DEFAULT = 8L * 1024 * 1024;

    public static final String S3_MAX_CONCURRENCY_CONFIG = "s3.max.concurrency";
    private static final String S3_MAX_CONCURRENCY_DOC = "Most S3 requests in flight at once for one task.";
    private static final int S3_MAX_CONCURRENCY_DEFAULT = 8;

    public static final String S3_RETRY_MAX_ATTEMPTS_CONFIG = "s3.retry.max.attempts";
    private static final String S3_RETRY_MAX_ATTEMPTS_DOC = "Most attempts of one S3 request (the first included), "
            + "with the SDK's exponential backoff and jitter between them. After that the task backs off and "
            + "retries the whole operation.";
    private static final int S3_RETRY_MAX_ATTEMPTS_DEFAULT = 10;

    /** Keys a prefixed connection inherits from its fallback when unset: everything but bucket and prefix. */
    private static final List<String> INHERITABLE = List.of(S3_REGION_CONFIG, S3_ENDPOINT_CONFIG,
            S3_PATH_STYLE_ACCESS_CONFIG, S3_ACCESS_KEY_ID_CONFIG, S3_SECRET_ACCESS_KEY_CONFIG, S3_CHECKSUM_MODE_CONFIG,
            S3_STORAGE_CLASS_CONFIG, S3_SSE_CONFIG, S3_SSE_KMS_KEY_ID_CONFIG, S3_PART_SIZE_BYTES_CONFIG,
            S3_MAX_CONCURRENCY_CONFIG, S3_RETRY_MAX_ATTEMPTS_CONFIG);

    private S3ConnectionConfig() {
    }

    /** Adds the S3 connection keys, each named {@code prefix + "s3.…"}, to {@code def}. */
    public static ConfigDef define(ConfigDef def, String prefix) {
        return define(def, prefix, prefix.isEmpty() ? GROUP : prefix + GROUP, null);
    }

    /**
     * Adds the keys under {@code prefix}; with a {@code fallbackPrefix}, every key but the bucket and the prefix
     * defaults to "inherit" (null), and its doc says so.
     */
    public static ConfigDef define(ConfigDef def, String prefix, String group, String fallbackPrefix) {
        boolean inherit = fallbackPrefix != null;
        int order = 0;
        def.define(prefix + S3_BUCKET_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                new ConfigDef.NonEmptyString(), Importance.HIGH, S3_BUCKET_DOC, group, ++order, Width.MEDIUM, "Bucket");
        def.define(prefix + S3_PREFIX_CONFIG, Type.STRING, S3_PREFIX_DEFAULT, ConfigValidators.objectKeyPrefix(),
                Importance.HIGH, prefixed(prefix, S3_PREFIX_DOC), group, ++order, Width.MEDIUM, "Key prefix");
        defineInheritable(def, prefix, fallbackPrefix, S3_REGION_CONFIG, Type.STRING, S3_REGION_DEFAULT,
                new ConfigDef.NonEmptyString(), Importance.MEDIUM, S3_REGION_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_ENDPOINT_CONFIG, Type.STRING, S3_ENDPOINT_DEFAULT,
                ConfigValidators.httpUrlOrEmpty(), Importance.MEDIUM, S3_ENDPOINT_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_PATH_STYLE_ACCESS_CONFIG, Type.BOOLEAN,
                S3_PATH_STYLE_ACCESS_DEFAULT, null, Importance.LOW, S3_PATH_STYLE_ACCESS_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_ACCESS_KEY_ID_CONFIG, Type.STRING, null,
                null, Importance.MEDIUM, S3_ACCESS_KEY_ID_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_SECRET_ACCESS_KEY_CONFIG, Type.PASSWORD, null,
                null, Importance.MEDIUM, S3_SECRET_ACCESS_KEY_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_CHECKSUM_MODE_CONFIG, Type.STRING, CHECKSUM_MODES.get(0),
                ValidString.in(CHECKSUM_MODES.toArray(String[]::new)), Importance.LOW, S3_CHECKSUM_MODE_DOC, group,
                ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_STORAGE_CLASS_CONFIG, Type.STRING, "",
                ValidString.in(STORAGE_CLASSES.toArray(String[]::new)), Importance.LOW, S3_STORAGE_CLASS_DOC, group,
                ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_SSE_CONFIG, Type.STRING, SSE_MODES.get(0),
                ValidString.in(SSE_MODES.toArray(String[]::new)), Importance.LOW, S3_SSE_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_SSE_KMS_KEY_ID_CONFIG, Type.STRING, "",
                null, Importance.LOW, S3_SSE_KMS_KEY_ID_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_PART_SIZE_BYTES_CONFIG, Type.LONG,
                S3_PART_SIZE_BYTES_DEFAULT, Range.between(PART_SIZE_MIN, 5L * 1024 * 1024 * 1024), Importance.LOW,
                S3_PART_SIZE_BYTES_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_MAX_CONCURRENCY_CONFIG, Type.INT,
                S3_MAX_CONCURRENCY_DEFAULT, Range.between(1, 256), Importance.LOW, S3_MAX_CONCURRENCY_DOC, group,
                ++order);
        defineInheritable(def, prefix, fallbackPrefix, S3_RETRY_MAX_ATTEMPTS_CONFIG, Type.INT,
                S3_RETRY_MAX_ATTEMPTS_DEFAULT, Range.between(1, 100), Importance.LOW, S3_RETRY_MAX_ATTEMPTS_DOC,
                group, ++order);
        return def;
    }

    private static void defineInheritable(ConfigDef def, String prefix, String fallbackPrefix, String key, Type type,
                                          Object defaultValue, ConfigDef.Validator validator, Importance importance,
                                          String bareDoc, String group, int order) {
        String doc = prefixed(prefix, bareDoc);
        if (fallbackPrefix == null) {
            def.define(prefix + key, type, defaultValue, validator, importance, doc, group, order, Width.MEDIUM, key);
        } else {
            // null default = "inherit": validators must accept null, which Kafka's do not all do.
            def.define(prefix + key, type, null, validator == null ? null : ConfigValidators.nullOr(validator),
                    importance, doc + " Unset: the value of " + fallbackPrefix + key + ".", group, order,
                    Width.MEDIUM, key);
        }
    }

    /** The doc of a key as seen under {@code prefix}: the keys it mentions carry the same prefix. */
    private static String prefixed(String prefix, String doc) {
        return prefix.isEmpty() ? doc : doc.replaceAll("\\bs3\\.", prefix + "s3.");
    }

    /** The connection under {@code prefix}. */
    public static S3Connection parse(AbstractConfig config, String prefix) {
        return parse(config, prefix, null);
    }

    /** The connection under {@code prefix}; unset inheritable keys take the value under {@code fallbackPrefix}. */
    public static S3Connection parse(AbstractConfig config, String prefix, String fallbackPrefix) {
        Map<String, ?> values = config.values();
        java.util.function.Function<String, Object> get = key -> {
            Object v = values.get(prefix + key);
            if (v == null && fallbackPrefix != null && INHERITABLE.contains(key)) {
                v = values.get(fallbackPrefix + key);
            }
            return v;
        };
        String endpoint = (String) get.apply(S3_ENDPOINT_CONFIG);
        String accessKey = (String) get.apply(S3_ACCESS_KEY_ID_CONFIG);
        String kmsKey = (String) get.apply(S3_SSE_KMS_KEY_ID_CONFIG);
        String storageClass = (String) get.apply(S3_STORAGE_CLASS_CONFIG);
        return new S3Connection(
                (String) get.apply(S3_BUCKET_CONFIG),
                normalizePrefix((String) get.apply(S3_PREFIX_CONFIG)),
                (String) get.apply(S3_REGION_CONFIG),
                blankToNull(endpoint),
                (Boolean) get.apply(S3_PATH_STYLE_ACCESS_CONFIG),
                blankToNull(accessKey),
                (Password) get.apply(S3_SECRET_ACCESS_KEY_CONFIG),
                S3Connection.ChecksumMode.of((String) get.apply(S3_CHECKSUM_MODE_CONFIG)),
                blankToNull(storageClass),
                S3Connection.Sse.of((String) get.apply(S3_SSE_CONFIG)),
                blankToNull(kmsKey),
                (Long) get.apply(S3_PART_SIZE_BYTES_CONFIG),
                (Integer) get.apply(S3_MAX_CONCURRENCY_CONFIG),
                (Integer) get.apply(S3_RETRY_MAX_ATTEMPTS_CONFIG));
    }

    /**
     * The checks between the connection's keys under {@code prefix} (the access key pair, a KMS key only with
     * SSE-KMS), as key -> reason, each on the key to fix. They read the keys as posted, so a connector makes them
     * whatever its other keys hold.
     */
    public static Map<String, String> crossFieldErrors(Map<String, String> props, String prefix,
                                                       String fallbackPrefix) {
        Map<String, String> errors = new LinkedHashMap<>();
        String accessKey = effective(props, prefix, fallbackPrefix, S3_ACCESS_KEY_ID_CONFIG);
        String secret = effective(props, prefix, fallbackPrefix, S3_SECRET_ACCESS_KEY_CONFIG);
        if (isSet(accessKey) && !isSet(secret)) {
            errors.put(prefix + S3_SECRET_ACCESS_KEY_CONFIG,
                    "must be set when " + prefix + S3_ACCESS_KEY_ID_CONFIG + " is set");
        } else if (!isSet(accessKey) && isSet(secret)) {
            errors.put(prefix + S3_ACCESS_KEY_ID_CONFIG,
                    "must be set when " + prefix + S3_SECRET_ACCESS_KEY_CONFIG + " is set");
        }
        String sse = effective(props, prefix, fallbackPrefix, S3_SSE_CONFIG);
        String kms = effective(props, prefix, fallbackPrefix, S3_SSE_KMS_KEY_ID_CONFIG);
        if (isSet(kms) && !"aws:kms".equals(sse)) {
            errors.put(prefix + S3_SSE_KMS_KEY_ID_CONFIG, "is only used with " + prefix + S3_SSE_CONFIG
                    + "=aws:kms, but " + prefix + S3_SSE_CONFIG + " is " + (sse == null ? "none" : sse));
        }
        return errors;
    }

    private static String effective(Map<String, String> props, String prefix, String fallbackPrefix, String key) {
        String v = props.get(prefix + key);
        if (v == null && fallbackPrefix != null) {
            v = props.get(fallbackPrefix + key);
        }
        return v;
    }

    private static boolean isSet(String s) {
        return s != null && !s.isBlank();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** "a/b/" and "/a/b" become "a/b"; empty stays empty. */
    static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String p = prefix.trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
