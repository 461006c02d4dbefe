package io.tieredarchive.dr;

import com.fasterxml.jackson.databind.JsonNode;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.Incarnation;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A topic's shape and settings at one moment: its partition count, replication factor and every config set on the
 * topic itself (not a broker or default value), as a restore recreates the topic
 * ({@code <topic>/<incarnation>/configs/<stamp>-<writer>.json}, see {@link SnapshotLayout}). The sink connector
 * writes one when it starts archiving a topic and another whenever one of these changes; none is rewritten. UTF-8
 * JSON, one object, configs ordered by name:
 * <pre>
 * {
 *   "formatVersion" : 1,                      // int: this layout; a reader refuses a newer version
 *   "topic" : "orders",                       // string: the archived topic
 *   "clusterId" : "MkU3OEVBNTcwNTJENDM2Qg",   // string: the Kafka cluster id
 *   "topicId" : "xS2pZ3pXQ7eHbd6gFK6TSA",     // string: the topic id (KIP-516)
 *   "snapshotAtMs" : 1700000000000,           // long: when the configs were read (the writer's clock)
 *   "writer" : "orders-archive",              // string: the sink connector that wrote it
 *   "partitions" : 3,                         // int: partition count
 *   "replicationFactor" : 3,                  // int: replicas of partition 0 (for the record; not applied)
 *   "configs" : {                             // every config whose source is the topic (DYNAMIC_TOPIC_CONFIG):
 *     "cleanup.policy" : "compact",           //   name -> value, as Kafka's describeConfigs gives them; a
 *     "retention.ms" : "604800000" }          //   sensitive value (none is, for topics) is left out
 * }
 * </pre>
 */
public record TopicConfigSnapshot(int formatVersion, String topic, String clusterId, String topicId,
                                  long snapshotAtMs, String writer, int partitions, int replicationFactor,
                                  SortedMap<String, String> configs) {

    public static final int FORMAT_VERSION = 1;

    public TopicConfigSnapshot {
        configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
    }

    public static TopicConfigSnapshot of(String topic, Incarnation incarnation, long snapshotAtMs, String writer,
                                         int partitions, int replicationFactor, Map<String, String> configs) {
        return new TopicConfigSnapshot(FORMAT_VERSION, topic, incarnation.clusterId(), incarnation.topicId(),
                snapshotAtMs, writer, partitions, replicationFactor, new TreeMap<>(configs));
    }

    public Incarnation incarnation() {
        return Incarnation.of(clusterId, topicId);
    }

    /** The same partition count, replication factor and configs, whenever they were read. */
    public boolean sameSettings(TopicConfigSnapshot other) {
        return other != null && partitions == other.partitions && replicationFactor == other.replicationFactor
                && configs.equals(other.configs);
    }

    public byte[] toBytes() {
        return SnapshotJson.write("config snapshot", formatVersion,
                new SnapshotJson.Identity(topic, clusterId, topicId, snapshotAtMs, writer), partitions, json -> {
                    json.writeNumberField("replicationFactor", replicationFactor);
                    json.writeObjectFieldStart("configs");
                    for (Map.Entry<String, String> c : configs.entrySet()) {
                        json.writeStringField(c.getKey(), c.getValue());
                    }
                    json.writeEndObject();
                });
    }

    /** Parses a snapshot; {@code name} (the object key) names it in errors. */
    public static TopicConfigSnapshot fromBytes(byte[] bytes, String name) throws SegmentException {
        JsonNode root = SnapshotJson.read(bytes, name, "topic config snapshot");
        int version = SnapshotJson.version(root, name, FORMAT_VERSION, "Topic config snapshot");
        SnapshotJson.Identity id = SnapshotJson.identity(root, name);
        if (!root.path("partitions").canConvertToInt() || root.get("partitions").intValue() < 1
                || !root.path("configs").isObject()) {
            throw new CorruptSegmentException(name, -1, "not a topic config snapshot (a partition count of 1 or "
                    + "more and configs are required)");
        }
        SortedMap<String, String> configs = new TreeMap<>();
        for (Map.Entry<String, JsonNode> c : root.get("configs").properties()) {
            if (!c.getValue().isTextual()) {
                throw new CorruptSegmentException(name, -1, "config '" + c.getKey() + "' is not a string");
            }
            configs.put(c.getKey(), c.getValue().textValue());
        }
        return new TopicConfigSnapshot(version, id.topic(), id.clusterId(), id.topicId(), id.snapshotAtMs(),
                id.writer(), root.get("partitions").intValue(), root.path("replicationFactor").asInt(-1), configs);
    }
}
