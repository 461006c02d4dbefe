package io.tieredarchive.testing;

import java.util.HashMap;
import java.util.Map;

/** Connector configs the tests of several modules start from; each test adds its S3 keys and its own settings. */
public final class ConnectorConfigs {

    /** Connect's converter that passes bytes through as they are. */
    public static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private ConnectorConfigs() {
    }

    /**
     * A bucket copy with {@code tasks} tasks whose events go to {@code eventsTopic} as plain JSON (string keys).
     * Without its {@code source.s3.*} and {@code destination.s3.*} keys.
     */
    public static Map<String, String> bucketCopy(String eventsTopic, int tasks) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.tieredarchive.source.BucketCopySourceConnector");
        config.put("tasks.max", Integer.toString(tasks));
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("copy.events.topic", eventsTopic);
        return config;
    }

    /** Lets Connect create a source connector's topics (KIP-158) with one partition: test brokers create none. */
    public static Map<String, String> withTopicCreation(Map<String, String> config) {
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "1");
        return config;
    }

    /** A replay with {@code tasks} tasks that hands Connect raw bytes (keys, values, headers). Without its S3 keys. */
    public static Map<String, String> byteReplay(int tasks) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "io.tieredarchive.source.ArchiveReplaySourceConnector");
        config.put("tasks.max", Integer.toString(tasks));
        config.put("key.converter", BYTES);
        config.put("value.converter", BYTES);
        config.put("header.converter", BYTES);
        return config;
    }
}
