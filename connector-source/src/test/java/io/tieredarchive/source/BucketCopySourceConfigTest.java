package io.tieredarchive.source;

import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.config.S3Connection;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BucketCopySourceConfigTest {

    static Map<String, String> props() {
        Map<String, String> p = new HashMap<>();
        p.put("copy.events.topic", "copy-events");
        p.putAll(S3TestConnections.connectorKeys("source.", "http://127.0.0.1:9000", "AKID", "secret", "src", "data"));
        p.put("destination.s3.bucket", "dst");
        p.put("destination.s3.prefix", "copy");
        return p;
    }

    /** Errors of BucketCopySourceConnector.validate, by key. */
    static Map<String, List<String>> errors(Map<String, String> props) {
        Config config = new BucketCopySourceConnector().validate(props);
        return config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    @Test
    void defaultsAndInheritance() {
        BucketCopySourceConfig config = new BucketCopySourceConfig(props());
        assertEquals(BucketCopySourceConfig.CopyMode.AUTO, config.mode());
        assertEquals(8, config.concurrency());
        assertEquals(8L << 20, config.partSizeBytes());
        assertEquals(5L << 30, config.multipartThresholdBytes(), "one CopyObject per object on S3-compatible stores");
        assertNull(config.includePattern());
        S3Connection destination = config.destination();
        assertEquals("dst", destination.bucket());
        assertEquals("copy", destination.prefix());
        assertEquals("http://127.0.0.1:9000", destination.endpoint(), "inherited from source.s3.endpoint");
        assertEquals("AKID", destination.accessKeyId());
        assertTrue(config.source().sameStoreAndCredentials(destination));
        assertTrue(config.crossFieldErrors().isEmpty(), config.crossFieldErrors().toString());
        assertTrue(errors(props()).isEmpty(), errors(props()).toString());
    }

    @Test
    void destinationKeysOverrideTheSources() {
        Map<String, String> p = props();
        p.put("destination.s3.endpoint", "http://127.0.0.1:9001");
        p.put("destination.s3.access.key.id", "OTHER");
        p.put("destination.s3.secret.access.key", "other-secret");
        BucketCopySourceConfig config = new BucketCopySourceConfig(p);
        assertEquals("http://127.0.0.1:9001", config.destination().endpoint());
        assertEquals("OTHER", config.destination().accessKeyId());
        assertTrue(!config.source().sameStoreAndCredentials(config.destination()));
    }

    @Test
    void multipartThresholdBelowThePartSizeIsRefusedOnTheThreshold() {
        Map<String, String> p = props();
        p.put("copy.part.size.bytes", Long.toString(16L << 20));
        p.put("copy.multipart.threshold.bytes", Long.toString(8L << 20));
        List<String> e = errors(p).get("copy.multipart.threshold.bytes");
        assertTrue(e != null && e.get(0).contains("at least copy.part.size.bytes"), String.valueOf(e));
    }

    @Test
    void anUnsetMultipartThresholdIsChosenByTheDestinationStore() {
        Map<String, String> aws = props();
        aws.remove("source.s3.endpoint");
        assertEquals(64L << 20, new BucketCopySourceConfig(aws).multipartThresholdBytes(), "AWS: parts above 64 MiB");
        aws.put("destination.s3.endpoint", "https://s3.eu-west-1.amazonaws.com");
        assertEquals(64L << 20, new BucketCopySourceConfig(aws).multipartThresholdBytes(), "an AWS endpoint");
        aws.put("copy.part.size.bytes", Long.toString(128L << 20));
        assertEquals(128L << 20, new BucketCopySourceConfig(aws).multipartThresholdBytes(), "never below a part");
        assertTrue(errors(aws).isEmpty(), errors(aws).toString());

        Map<String, String> minio = props();
        minio.put("destination.s3.endpoint", "http://minio.internal:9000");
        assertEquals(5L << 30, new BucketCopySourceConfig(minio).multipartThresholdBytes(), "one CopyObject");
        minio.put("copy.multipart.threshold.bytes", Long.toString(256L << 20));
        assertEquals(256L << 20, new BucketCopySourceConfig(minio).multipartThresholdBytes(), "as set");
    }

    @Test
    void partSizeBelowFiveMibIsRefusedByTheConfigDef() {
        Map<String, String> p = props();
        p.put("copy.part.size.bytes", Long.toString(4L << 20));
        assertTrue(errors(p).containsKey("copy.part.size.bytes"));
        assertThrows(ConfigException.class, () -> new BucketCopySourceConfig(p));
    }

    @Test
    void serverSideAcrossStoresOrCredentialsIsRefusedOnTheMode() {
        Map<String, String> p = props();
        p.put("copy.mode", "server-side");
        assertTrue(errors(p).isEmpty(), "same store and keys: fine");
        p.put("destination.s3.access.key.id", "OTHER");
        p.put("destination.s3.secret.access.key", "other-secret");
        assertTrue(errors(p).get("copy.mode").get(0).contains("same endpoint"), errors(p).toString());
        p.remove("destination.s3.access.key.id");
        p.remove("destination.s3.secret.access.key");
        p.put("destination.s3.endpoint", "http://127.0.0.1:9001");
        assertTrue(errors(p).containsKey("copy.mode"));
    }

    @Test
    void overlappingSourceAndDestinationAreRefusedOnTheDestinationPrefix() {
        for (String[] prefixes : new String[][]{{"data", "data"}, {"data", "data/copy"}, {"data/x", "data"},
                {"", "copy"}, {"data", ""}}) {
            Map<String, String> p = props();
            p.put("destination.s3.bucket", "src");
            p.put("source.s3.prefix", prefixes[0]);
            p.put("destination.s3.prefix", prefixes[1]);
            assertTrue(errors(p).containsKey("destination.s3.prefix"), String.join(" -> ", prefixes));
        }
        Map<String, String> p = props();
        p.put("destination.s3.bucket", "src");
        p.put("destination.s3.prefix", "data2");
        assertTrue(errors(p).isEmpty(), "'data' and 'data2' do not overlap: " + errors(p));
        p.put("destination.s3.prefix", "data");
        p.put("destination.s3.endpoint", "http://127.0.0.1:9001");
        assertTrue(errors(p).isEmpty(), "the same bucket name on another store is another bucket");
    }

    @Test
    void badValuesAreRefusedPerKey() {
        Map<String, String> p = props();
        p.put("copy.include.regex", "(");
        p.put("copy.mode", "fast");
        p.put("copy.concurrency", "0");
        p.put("source.s3.prefix", "a/../b");
        p.remove("copy.events.topic");
        p.put("destination.s3.sse.kms.key.id", "key");
        Map<String, List<String>> e = errors(p);
        for (String key : List.of("copy.include.regex", "copy.mode", "copy.concurrency", "source.s3.prefix",
                "copy.events.topic", "destination.s3.sse.kms.key.id")) {
            assertTrue(e.containsKey(key), key + " in " + e);
        }
    }

    @Test
    void connectorStartRefusesCrossFieldErrors() {
        Map<String, String> p = props();
        p.put("destination.s3.bucket", "src");
        p.put("destination.s3.prefix", "data");
        ConfigException e = assertThrows(ConfigException.class, () -> new BucketCopySourceConnector().start(p));
        assertTrue(e.getMessage().contains("destination.s3.prefix"), e.getMessage());
    }
}
