package io.tieredarchive.source;

import io.tieredarchive.source.replay.ReplayRange;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveReplaySourceConfigTest {

    private static final Map<String, String> BASE = Map.of(
            "s3.bucket", "archive",
            "replay.topics", "orders",
            "replay.admin.bootstrap.servers", "127.0.0.1:9092");

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> props = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                props.remove(keyValues[i]);
            } else {
                props.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return props;
    }

    /** The error messages Connect's validate endpoint shows, by key. */
    private static Map<String, List<String>> errors(Map<String, String> props) {
        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue v : new ArchiveReplaySourceConnector().validate(props).configValues()) {
            if (!v.errorMessages().isEmpty()) {
                errors.put(v.name(), v.errorMessages());
            }
        }
        return errors;
    }

    private static void assertOnlyErrorOn(Map<String, String> props, String key, String fragment) {
        Map<String, List<String>> errors = errors(props);
        assertEquals(List.of(key), List.copyOf(errors.keySet()), "errors: " + errors);
        assertTrue(errors.get(key).toString().contains(fragment), errors.get(key).toString());
    }

    @Test
    void defaults() {
        ArchiveReplaySourceConfig c = new ArchiveReplaySourceConfig(BASE);
        assertEquals(List.of("orders"), c.topics());
        assertTrue(c.topicsRegex().isEmpty());
        assertEquals("orders", c.topicFormat().target("orders"));
        assertEquals(ReplayRange.ALL, c.range());
        assertFalse(c.follow());
        assertTrue(c.preservePartitions());
        assertEquals(10_000, c.batchRecords());
        assertFalse(c.toleratesErrors());
        assertEquals(Map.of(), errors(BASE));
    }

    @Test
    void timesAreIsoOrEpochMillis() {
        ArchiveReplaySourceConfig c = new ArchiveReplaySourceConfig(with(BASE,
                "replay.start.time", "2026-01-31T12:00:00Z", "replay.end.time", "1769864400000",
                "replay.start.offset", null));
        assertEquals(1769860800000L, c.range().startTime());
        assertEquals(1769864400000L, c.range().endTime());
        assertNull(c.range().startOffset());
    }

    @Test
    void adminSettingsArePassedWithoutThePrefix() {
        ArchiveReplaySourceConfig c = new ArchiveReplaySourceConfig(with(BASE,
                "replay.admin.security.protocol", "SSL"));
        assertEquals("SSL", c.adminConfig().get("security.protocol"));
        assertEquals("127.0.0.1:9092", c.adminConfig().get("bootstrap.servers"));
    }

    @Test
    void invalidValuesNameTheKey() {
        assertOnlyErrorOn(with(BASE, "replay.topic.format", "${topic}/x"), "replay.topic.format", "legal topic");
        assertOnlyErrorOn(with(BASE, "replay.topic.format", "${name}.restored"), "replay.topic.format",
                "unknown placeholder '${name}'");
        assertOnlyErrorOn(with(BASE, "replay.topic.format", ""), "replay.topic.format", "empty");
        assertOnlyErrorOn(with(BASE, "replay.start.offset", "-1"), "replay.start.offset", "at least 0");
        assertOnlyErrorOn(with(BASE, "replay.end.time", "yesterday"), "replay.end.time", "ISO-8601");
        assertOnlyErrorOn(with(BASE, "replay.partitioning", "random"), "replay.partitioning", "random");
        assertOnlyErrorOn(with(BASE, "replay.topics.regex", "("), "replay.topics.regex", "regular expression");
        assertOnlyErrorOn(with(BASE, "replay.batch.records", "0"), "replay.batch.records", "at least 1");
        assertOnlyErrorOn(with(BASE, "replay.follow.interval.ms", "1"), "replay.follow.interval.ms", "10");
        assertOnlyErrorOn(with(BASE, "s3.bucket", null), "s3.bucket", "no default value");
    }

    @Test
    void topicsOrRegexExactlyOne() {
        assertOnlyErrorOn(with(BASE, "replay.topics.regex", "orders.*"), "replay.topics.regex", "not both");
        assertOnlyErrorOn(with(BASE, "replay.topics", null), "replay.topics", "replay.topics.regex");
        assertEquals(Map.of(), errors(with(BASE, "replay.topics", null, "replay.topics.regex", "orders.*")));
    }

    @Test
    void formatMustYieldALegalNameForEveryListedTopic() {
        String longTopic = "t".repeat(245);
        assertOnlyErrorOn(with(BASE, "replay.topics", longTopic, "replay.topic.format", "${topic}.restored"),
                "replay.topic.format", "not a legal topic name");
        assertEquals(Map.of(), errors(with(BASE, "replay.topic.format", "${topic}.restored")));
    }

    @Test
    void boundsAreOrderedAndNotMixedPerBound() {
        assertOnlyErrorOn(with(BASE, "replay.start.offset", "100", "replay.end.offset", "100"),
                "replay.end.offset", "must be greater than replay.start.offset");
        assertOnlyErrorOn(with(BASE, "replay.start.time", "2026-02-01T00:00:00Z",
                "replay.end.time", "2026-01-01T00:00:00Z"), "replay.end.time", "must be after replay.start.time");
        assertOnlyErrorOn(with(BASE, "replay.start.offset", "5", "replay.start.time", "1000"),
                "replay.start.time", "not both");
        assertOnlyErrorOn(with(BASE, "replay.end.offset", "5", "replay.end.time", "1000"),
                "replay.end.time", "not both");
        assertEquals(Map.of(), errors(with(BASE, "replay.start.time", "1000", "replay.end.offset", "5")),
                "a start by time and an end by offset may be combined");
    }

    @Test
    void preservingPartitionsNeedsTheAdminConnection() {
        assertOnlyErrorOn(with(BASE, "replay.admin.bootstrap.servers", null), "kafka.bootstrap.servers",
                "replay.partitioning=preserve");
        assertEquals(Map.of(), errors(with(BASE, "replay.admin.bootstrap.servers", null,
                "replay.partitioning", "key")));
        assertEquals(Map.of(), errors(with(BASE, "replay.admin.bootstrap.servers", null,
                "kafka.bootstrap.servers", "127.0.0.1:9092")), "the key shared with the sink");
        assertOnlyErrorOn(with(BASE, "kafka.bootstrap.servers", "no-port"), "kafka.bootstrap.servers",
                "is not host:port");
    }

    @Test
    void theAdminSettingsComeFromKafkaKeysAndTheOlderReplayAdminKeys() {
        ArchiveReplaySourceConfig legacy = new ArchiveReplaySourceConfig(with(BASE,
                "replay.admin.security.protocol", "SSL"));
        assertEquals("127.0.0.1:9092", legacy.adminConfig().get("bootstrap.servers"));
        assertEquals("SSL", legacy.adminConfig().get("security.protocol"));
        ArchiveReplaySourceConfig both = new ArchiveReplaySourceConfig(with(BASE,
                "kafka.bootstrap.servers", "kafka:9093", "kafka.security.protocol", "SASL_SSL"));
        assertEquals("kafka:9093", both.adminConfig().get("bootstrap.servers"), "kafka.* wins");
        assertEquals("SASL_SSL", both.adminConfig().get("security.protocol"));
    }

    @Test
    void theIncarnationIsLatestAllLegacyOrAnIdAndNothingElse() {
        assertEquals("latest", new ArchiveReplaySourceConfig(BASE).incarnations().spec());
        assertEquals(Map.of(), errors(with(BASE, "replay.incarnation", "all")));
        assertEquals(Map.of(), errors(with(BASE, "replay.incarnation",
                "MkU3OEVBNTcwNTJENDM2Qg.xS2pZ3pXQ7eHbd6gFK6TSA")));
        assertOnlyErrorOn(with(BASE, "replay.incarnation", "a.b.c"), "replay.incarnation", "is not 'latest'");
    }

    @Test
    void s3CrossFieldChecksApply() {
        assertOnlyErrorOn(with(BASE, "s3.access.key.id", "AKIA"), "s3.secret.access.key", "must be set");
    }

    @Test
    void startRefusesAnInconsistentConfig() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ArchiveReplaySourceConnector()
                .start(with(BASE, "replay.start.offset", "10", "replay.end.offset", "5")));
        assertTrue(e.getMessage().contains("replay.end.offset"), e.getMessage());
    }

    @Test
    void errorsToleranceAllIsRead() {
        assertTrue(new ArchiveReplaySourceConfig(with(BASE, "errors.tolerance", "all")).toleratesErrors());
        assertFalse(new ArchiveReplaySourceConfig(with(BASE, "errors.tolerance", "none")).toleratesErrors());
    }
}
