package io.tieredarchive.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3ConnectionConfigTest {

    private static final ConfigDef BARE = S3ConnectionConfig.define(new ConfigDef(), "");
    private static final ConfigDef COPY = S3ConnectionConfig.define(
            S3ConnectionConfig.define(new ConfigDef(), "source."), "destination.", "destination.S3", "source.");

    @Test
    void parsesBareKeysWithDefaults() {
        S3Connection c = S3ConnectionConfig.parse(new AbstractConfig(BARE, Map.of("s3.bucket", "archive")), "");
        assertEquals("archive", c.bucket());
        assertEquals("", c.prefix());
        assertEquals("us-east-1", c.region());
        assertNull(c.endpoint());
        assertFalse(c.pathStyleAccess());
        assertFalse(c.hasStaticCredentials());
        assertEquals(S3Connection.ChecksumMode.WHEN_SUPPORTED, c.checksumMode());
        assertEquals(S3Connection.Sse.NONE, c.sse());
        assertNull(c.storageClass());
        assertEquals(8L * 1024 * 1024, c.partSizeBytes());
    }

    @Test
    void prefixIsNormalisedAndKeysAreJoined() {
        S3Connection c = S3ConnectionConfig.parse(new AbstractConfig(BARE,
                Map.of("s3.bucket", "b", "s3.prefix", "/kafka/archive/")), "");
        assertEquals("kafka/archive", c.prefix());
        assertEquals("kafka/archive/orders/0/x.log", c.key("orders/0/x.log"));
        S3Connection root = S3ConnectionConfig.parse(new AbstractConfig(BARE, Map.of("s3.bucket", "b")), "");
        assertEquals("orders/0/x.log", root.key("orders/0/x.log"));
    }

    @Test
    void secretNeverAppearsInToString() {
        S3Connection c = S3ConnectionConfig.parse(new AbstractConfig(BARE, Map.of("s3.bucket", "b",
                "s3.access.key.id", "AKIAEXAMPLE", "s3.secret.access.key", "very-secret-value")), "");
        assertTrue(c.hasStaticCredentials());
        assertEquals("very-secret-value", c.secretAccessKey().value());
        assertFalse(c.toString().contains("very-secret-value"), c.toString());
    }

    @Test
    void destinationInheritsUnsetConnectionKeysButNotBucketOrPrefix() {
        Map<String, String> props = new HashMap<>();
        props.put("source.s3.bucket", "src");
        props.put("source.s3.prefix", "in");
        props.put("source.s3.endpoint", "http://127.0.0.1:9000");
        props.put("source.s3.path.style.access", "true");
        props.put("source.s3.access.key.id", "k");
        props.put("source.s3.secret.access.key", "s");
        props.put("destination.s3.bucket", "dst");
        props.put("destination.s3.region", "eu-west-1");
        AbstractConfig config = new AbstractConfig(COPY, props);
        S3Connection source = S3ConnectionConfig.parse(config, "source.");
        S3Connection destination = S3ConnectionConfig.parse(config, "destination.", "source.");
        assertEquals("dst", destination.bucket());
        assertEquals("", destination.prefix());
        assertEquals("eu-west-1", destination.region());
        assertEquals("http://127.0.0.1:9000", destination.endpoint());
        assertTrue(destination.pathStyleAccess());
        assertEquals("k", destination.accessKeyId());
        assertEquals("s", destination.secretAccessKey().value());
        assertFalse(source.sameStoreAndCredentials(destination), "regions differ");
        props.remove("destination.s3.region");
        S3Connection sameStore = S3ConnectionConfig.parse(new AbstractConfig(COPY, props), "destination.", "source.");
        assertTrue(source.sameStoreAndCredentials(sameStore));
    }

    @Test
    void invalidValuesNameTheKey() {
        Map<String, String> base = Map.of("s3.bucket", "b");
        assertRejected(BARE, with(base, "s3.endpoint", "ftp://example"), "s3.endpoint");
        assertRejected(BARE, with(base, "s3.endpoint", "not a url"), "s3.endpoint");
        assertRejected(BARE, with(base, "s3.checksum.mode", "always"), "s3.checksum.mode");
        assertRejected(BARE, with(base, "s3.sse", "aws:kms:dsse"), "s3.sse");
        assertRejected(BARE, with(base, "s3.storage.class", "COLD"), "s3.storage.class");
        assertRejected(BARE, with(base, "s3.part.size.bytes", "1024"), "s3.part.size.bytes");
        assertRejected(BARE, with(base, "s3.max.concurrency", "0"), "s3.max.concurrency");
        assertRejected(BARE, with(base, "s3.retry.max.attempts", "many"), "s3.retry.max.attempts");
        assertRejected(BARE, with(base, "s3.prefix", "a/../b"), "s3.prefix");
        assertRejected(BARE, with(base, "s3.prefix", "a//b"), "s3.prefix");
        assertRejected(BARE, with(base, "s3.path.style.access", "yes"), "s3.path.style.access");
        assertRejected(BARE, with(base, "s3.bucket", ""), "s3.bucket");
        assertRejected(BARE, Map.of(), "s3.bucket");
        assertRejected(COPY, Map.of("source.s3.bucket", "a", "destination.s3.bucket", "b",
                "destination.s3.max.concurrency", "-1"), "destination.s3.max.concurrency");
    }

    @Test
    void crossFieldChecksNameTheKeyToFix() {
        Map<String, ConfigValue> results = validate(BARE, Map.of("s3.bucket", "b", "s3.access.key.id", "k"), "", null);
        assertHasError(results, "s3.secret.access.key");
        results = validate(BARE, Map.of("s3.bucket", "b", "s3.secret.access.key", "s"), "", null);
        assertHasError(results, "s3.access.key.id");
        results = validate(BARE, Map.of("s3.bucket", "b", "s3.sse.kms.key.id", "arn:aws:kms:k"), "", null);
        assertHasError(results, "s3.sse.kms.key.id");
        results = validate(BARE, Map.of("s3.bucket", "b", "s3.sse", "aws:kms", "s3.sse.kms.key.id", "k"), "", null);
        assertTrue(results.values().stream().allMatch(v -> v.errorMessages().isEmpty()), results.toString());
        // the destination's secret is inherited from the source: no error
        results = validate(COPY, Map.of("source.s3.bucket", "a", "source.s3.access.key.id", "k",
                "source.s3.secret.access.key", "s", "destination.s3.bucket", "b"), "destination.", "source.");
        assertTrue(results.values().stream().allMatch(v -> v.errorMessages().isEmpty()), results.toString());
    }

    private static Map<String, ConfigValue> validate(ConfigDef def, Map<String, String> props, String prefix,
                                                     String fallback) {
        return ConnectorValidation.validate(def, props,
                        keys -> S3ConnectionConfig.crossFieldErrors(keys.props(), prefix, fallback))
                .configValues().stream().collect(Collectors.toMap(ConfigValue::name, Function.identity()));
    }

    private static void assertHasError(Map<String, ConfigValue> results, String key) {
        ConfigValue value = results.get(key);
        assertFalse(value.errorMessages().isEmpty(), "expected an error on " + key + ": " + results);
        assertTrue(value.errorMessages().get(0).contains(key), value.errorMessages().toString());
    }

    static void assertRejected(ConfigDef def, Map<String, String> props, String key) {
        ConfigException e = assertThrows(ConfigException.class, () -> new AbstractConfig(def, props));
        assertTrue(e.getMessage().contains(key), "message should name " + key + ": " + e.getMessage());
    }

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
