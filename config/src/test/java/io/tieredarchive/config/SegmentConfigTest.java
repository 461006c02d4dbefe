package io.tieredarchive.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.tieredarchive.config.S3ConnectionConfigTest.assertRejected;
import static io.tieredarchive.config.S3ConnectionConfigTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentConfigTest {

    private static final ConfigDef DEF = LocalTierConfig.define(SegmentConfig.define(new ConfigDef()));
    private static final Map<String, String> BASE = Map.of("local.dir", "/var/lib/archive");

    @Test
    void defaults() {
        AbstractConfig c = new AbstractConfig(DEF, BASE);
        assertEquals(256 * 1024 * 1024, c.getInt("segment.bytes"));
        assertEquals(1024 * 1024, c.getInt("batch.bytes"));
        assertEquals("zstd", c.getString("compression.type"));
        assertNull(c.getInt("compression.level"));
        assertEquals("remote", c.getString("commit.mode"));
        assertEquals(0L, c.getLong("tier.upload.delay.ms"));
        assertEquals(-1L, c.getLong("local.retention.bytes"));
    }

    @Test
    void invalidValuesNameTheKey() {
        assertRejected(DEF, Map.of(), "local.dir");
        assertRejected(DEF, with(BASE, "local.dir", " "), "local.dir");
        assertRejected(DEF, with(BASE, "compression.type", "brotli"), "compression.type");
        assertRejected(DEF, with(BASE, "segment.bytes", "1000"), "segment.bytes");
        assertRejected(DEF, with(BASE, "segment.bytes", "3000000000"), "segment.bytes");
        assertRejected(DEF, with(BASE, "segment.ms", "0"), "segment.ms");
        assertRejected(DEF, with(BASE, "batch.bytes", "100"), "batch.bytes");
        assertRejected(DEF, with(BASE, "compression.level", "high"), "compression.level");
        assertRejected(DEF, with(BASE, "commit.mode", "never"), "commit.mode");
        assertRejected(DEF, with(BASE, "local.retention.ms", "-2"), "local.retention.ms");
        assertRejected(DEF, with(BASE, "local.retention.bytes", "-5"), "local.retention.bytes");
        assertRejected(DEF, with(BASE, "tier.upload.delay.ms", "-1"), "tier.upload.delay.ms");
    }

    @Test
    void segmentMustHoldABatch() {
        Map<String, ConfigValue> results = validate(Map.of("segment.bytes", "65536", "batch.bytes", "131072"));
        assertErrorOn(results, "segment.bytes");
    }

    @Test
    void levelIsCheckedAgainstTheCodec() {
        assertErrorOn(validate(Map.of("compression.type", "zstd", "compression.level", "23")), "compression.level");
        assertErrorOn(validate(Map.of("compression.type", "gzip", "compression.level", "0")), "compression.level");
        assertErrorOn(validate(Map.of("compression.type", "lz4", "compression.level", "18")), "compression.level");
        assertErrorOn(validate(Map.of("compression.type", "snappy", "compression.level", "1")), "compression.level");
        assertErrorOn(validate(Map.of("compression.type", "none", "compression.level", "1")), "compression.level");
        for (List<String> ok : List.of(List.of("zstd", "19"), List.of("zstd", "-5"), List.of("gzip", "9"),
                List.of("lz4", "17"))) {
            Map<String, ConfigValue> results = validate(Map.of("compression.type", ok.get(0),
                    "compression.level", ok.get(1)));
            assertTrue(results.get("compression.level").errorMessages().isEmpty(), ok + ": " + results);
        }
    }

    private static Map<String, ConfigValue> validate(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(BASE);
        props.putAll(overrides);
        return ConnectorValidation.validate(DEF, props, SegmentConfig::crossFieldErrors).configValues().stream()
                .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
    }

    private static void assertErrorOn(Map<String, ConfigValue> results, String key) {
        List<String> errors = results.get(key).errorMessages();
        assertEquals(1, errors.size(), key + ": " + results);
        assertTrue(errors.get(0).contains(key), errors.get(0));
    }
}
