package io.tieredarchive.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;

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

    public static final String BUCKET = "s3.bucket";
    private static final String BUCKET_DOC = "Name of the S3 bucket.";

    public static final String PREFIX = "s3.prefix";
    private static final String PREFIX_DOC = "Key prefix of the objects this connector reads or writes, "
            + "without a leading slash. Empty means the bucket's root.";
    private static final String PREFIX_DEFAULT = "";

    public static final String REGION = "s3.region";
    private static final String REGION_DOC = "AWS region of the bucket. S3-compatible stores usually accept any "
            + "region; 'us-east-1' is the conventional one.";
    private static final String REGION_DEFAULT = "us-east-1";

    public static final String ENDPOINT = "s3.endpoint";
    private static final String ENDPOINT_DOC = "Endpoint URL of an S3-compatible store (MinIO, Ceph, S3Proxy), "
            + "e.g. 'http://127.0.0.1:9000'. Empty means AWS S3's regional endpoint.";
    private static final String ENDPOINT_DEFAULT = "";

    public static final String PATH_STYLE = "s3.path.style.access";
    private static final String PATH_STYLE_DOC = "Address buckets as 'endpoint/bucket' instead of "
            + "'bucket.endpoint'. Most S3-compatible stores need true.";
    private static final boolean PATH_STYLE_DEFAULT = false;

    public static final String ACCESS_KEY_ID = "s3.access.key.id";
    private static final String ACCESS_KEY_ID_DOC = "Static access key id. Leave unset (with "
            + "s3.secret.access.key) to use the AWS SDK's default credentials chain "
            + "(environment, profile, web identity, instance role).";

    public static final String SECRET_ACCESS_KEY = "s3.secret.access.key";
    private static final String SECRET_ACCESS_KEY_DOC = "Static secret access key, set together with "
            + "s3.access.key.id. Never logged, and masked in validation responses; but Connect's "
            + "GET /connectors/<name>/config returns the connector config as posted, so keep the secret out of it "
            + "with a config provider, e.g. ${file:/etc/kafka-connect/s3.properties:secret} (FileConfigProvider), "
            + "or use the default credentials chain.";

    public static final String CHECKSUM_MODE = "s3.checksum.mode";
    private static final String CHECKSUM_MODE_DOC = "When the SDK sends request checksums: 'when_supported' "
            + "(the SDK's default, CRC32 on every upload) or 'when_required' for stores that reject them.";
    public static final List<String> CHECKSUM_MODES = List.of("when_supported", "when_required");

    public static final String STORAGE_CLASS = "s3.storage.class";
    private static final String STORAGE_CLASS_DOC = "Storage class of uploaded objects. Empty means the bucket's "
            + "default. Archive classes (GLACIER, DEEP_ARCHIVE) cannot serve ranged reads without a restore first.";
    public static final List<String> STORAGE_CLASSES = List.of("", "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA",
            "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "EXPRESS_ONEZONE");

    public static final String SSE = "s3.sse";
    private static final String SSE_DOC = "Server-side encryption of uploaded objects: 'none', 'AES256' (SSE-S3) "
            + "or 'aws:kms' (SSE-KMS).";
    public static final List<String> SSE_MODES = List.of("none", "AES256", "aws:kms");

    public static final String SSE_KMS_KEY_ID = "s3.sse.kms.key.id";
    private static final String SSE_KMS_KEY_ID_DOC = "KMS key id or ARN for s3.sse=aws:kms. Empty means the "
            + "account's AWS-managed key.";

    public static final String PART_SIZE = "s3.part.size.bytes";
    private static final String PART_SIZE_DOC = "Objects larger than this are uploaded in parts of this size. "
            + "S3 requires at least 5 MiB.";
    public static final long PART_SIZE_MIN = 5L * 1024 * 1024;
    private static final long PART_SIZE_DEFAULT = 8L * 1024 * 1024;

    public static final String MAX_CONCURRENCY = "s3.max.concurrency";
    private static final String MAX_CONCURRENCY_DOC = "Most S3 requests in flight at once for one task.";
    private static final int MAX_CONCURRENCY_DEFAULT = 8;

    public static final String RETRY_MAX_ATTEMPTS = "s3.retry.max.attempts";
    private static final String RETRY_MAX_ATTEMPTS_DOC = "Most attempts of one S3 request (the first included), "
            + "with the SDK's exponential backoff and jitter between them. After that the task backs off and "
            + "retries the whole operation.";
    private static final int RETRY_MAX_ATTEMPTS_DEFAULT = 10;

    /** Keys a prefixed connection inherits from its fallback when unset: everything but bucket and prefix. */
    private static final List<String> INHERITABLE = List.of(REGION, ENDPOINT, PATH_STYLE, ACCESS_KEY_ID,
            SECRET_ACCESS_KEY, CHECKSUM_MODE, STORAGE_CLASS, SSE, SSE_KMS_KEY_ID, PART_SIZE, MAX_CONCURRENCY,
            RETRY_MAX_ATTEMPTS);

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
        def.define(prefix + BUCKET, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                Importance.HIGH, BUCKET_DOC, group, ++order, Width.MEDIUM, "Bucket");
        def.define(prefix + PREFIX, Type.STRING, PREFIX_DEFAULT, ConfigValidators.objectKeyPrefix(),
                Importance.HIGH, prefixed(prefix, PREFIX_DOC), group, ++order, Width.MEDIUM, "Key prefix");
        defineInheritable(def, prefix, fallbackPrefix, REGION, Type.STRING, REGION_DEFAULT,
                new ConfigDef.NonEmptyString(), Importance.MEDIUM, REGION_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, ENDPOINT, Type.STRING, ENDPOINT_DEFAULT,
                ConfigValidators.httpUrlOrEmpty(), Importance.MEDIUM, ENDPOINT_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, PATH_STYLE, Type.BOOLEAN, PATH_STYLE_DEFAULT,
                null, Importance.LOW, PATH_STYLE_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, ACCESS_KEY_ID, Type.STRING, null,
                null, Importance.MEDIUM, ACCESS_KEY_ID_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, SECRET_ACCESS_KEY, Type.PASSWORD, null,
                null, Importance.MEDIUM, SECRET_ACCESS_KEY_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, CHECKSUM_MODE, Type.STRING, CHECKSUM_MODES.get(0),
                ValidString.in(CHECKSUM_MODES.toArray(String[]::new)), Importance.LOW, CHECKSUM_MODE_DOC, group,
                ++order);
        defineInheritable(def, prefix, fallbackPrefix, STORAGE_CLASS, Type.STRING, "",
                ValidString.in(STORAGE_CLASSES.toArray(String[]::new)), Importance.LOW, STORAGE_CLASS_DOC, group,
                ++order);
        defineInheritable(def, prefix, fallbackPrefix, SSE, Type.STRING, SSE_MODES.get(0),
                ValidString.in(SSE_MODES.toArray(String[]::new)), Importance.LOW, SSE_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, SSE_KMS_KEY_ID, Type.STRING, "",
                null, Importance.LOW, SSE_KMS_KEY_ID_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, PART_SIZE, Type.LONG, PART_SIZE_DEFAULT,
                Range.between(PART_SIZE_MIN, 5L * 1024 * 1024 * 1024), Importance.LOW, PART_SIZE_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, MAX_CONCURRENCY, Type.INT, MAX_CONCURRENCY_DEFAULT,
                Range.between(1, 256), Importance.LOW, MAX_CONCURRENCY_DOC, group, ++order);
        defineInheritable(def, prefix, fallbackPrefix, RETRY_MAX_ATTEMPTS, Type.INT, RETRY_MAX_ATTEMPTS_DEFAULT,
                Range.between(1, 100), Importance.LOW, RETRY_MAX_ATTEMPTS_DOC, group, ++order);
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
        String endpoint = (String) get.apply(ENDPOINT);
        String accessKey = (String) get.apply(ACCESS_KEY_ID);
        String kmsKey = (String) get.apply(SSE_KMS_KEY_ID);
        String storageClass = (String) get.apply(STORAGE_CLASS);
        return new S3Connection(
                (String) get.apply(BUCKET),
                normalizePrefix((String) get.apply(PREFIX)),
                (String) get.apply(REGION),
                blankToNull(endpoint),
                (Boolean) get.apply(PATH_STYLE),
                blankToNull(accessKey),
                (Password) get.apply(SECRET_ACCESS_KEY),
                S3Connection.ChecksumMode.of((String) get.apply(CHECKSUM_MODE)),
                blankToNull(storageClass),
                S3Connection.Sse.of((String) get.apply(SSE)),
                blankToNull(kmsKey),
                (Long) get.apply(PART_SIZE),
                (Integer) get.apply(MAX_CONCURRENCY),
                (Integer) get.apply(RETRY_MAX_ATTEMPTS));
    }

    /**
     * Cross-field checks that a single key's validator cannot make, reported on the key to fix. Call from
     * {@code Connector.validate()} after the per-key validation.
     */
    public static void validate(Map<String, ConfigValue> results, Map<String, String> props, String prefix,
                                String fallbackPrefix) {
        String accessKey = effective(props, prefix, fallbackPrefix, ACCESS_KEY_ID);
        String secret = effective(props, prefix, fallbackPrefix, SECRET_ACCESS_KEY);
        if (isSet(accessKey) && !isSet(secret)) {
            ConfigValidators.addError(results, prefix + SECRET_ACCESS_KEY,
                    "must be set when " + prefix + ACCESS_KEY_ID + " is set");
        } else if (!isSet(accessKey) && isSet(secret)) {
            ConfigValidators.addError(results, prefix + ACCESS_KEY_ID,
                    "must be set when " + prefix + SECRET_ACCESS_KEY + " is set");
        }
        String sse = effective(props, prefix, fallbackPrefix, SSE);
        String kms = effective(props, prefix, fallbackPrefix, SSE_KMS_KEY_ID);
        if (isSet(kms) && !"aws:kms".equals(sse)) {
            ConfigValidators.addError(results, prefix + SSE_KMS_KEY_ID,
                    "is only used with " + prefix + SSE + "=aws:kms, but " + prefix + SSE + " is "
                            + (sse == null ? "none" : sse));
        }
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
