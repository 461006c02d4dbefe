package io.tieredarchive.tier.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;

import java.io.IOException;

/**
 * The description of one incarnation of a topic ({@code <topic>/<incarnation>/incarnation.json}), written once, by
 * the first sink task that archives it ({@code If-None-Match: *}; a second writer keeps the first's). Readers order
 * a topic's incarnations by {@code createdAtMs}. UTF-8 JSON:
 * <pre>
 * {
 *   "formatVersion" : 1,                        // int; newer versions are refused
 *   "topic" : "orders",                         // string
 *   "clusterId" : "MkU3OEVBNTcwNTJENDM2Qg",     // string: the Kafka cluster id
 *   "topicId" : "xS2pZ3pXQ7eHbd6gFK6TSA",       // string: the topic id (KIP-516)
 *   "createdAtMs" : 1700000000000               // long: when the archive first saw this incarnation (writer's clock)
 * }
 * </pre>
 */
public record IncarnationInfo(int formatVersion, String topic, String clusterId, String topicId,
                              long createdAtMs) {

    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static IncarnationInfo of(String topic, Incarnation incarnation, long createdAtMs) {
        return new IncarnationInfo(FORMAT_VERSION, topic, incarnation.clusterId(), incarnation.topicId(),
                createdAtMs);
    }

    public Incarnation incarnation() {
        return Incarnation.of(clusterId, topicId);
    }

    public byte[] toBytes() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", formatVersion);
        root.put("topic", topic);
        root.put("clusterId", clusterId);
        root.put("topicId", topicId);
        root.put("createdAtMs", createdAtMs);
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialise " + this, e);
        }
    }

    /** Parses a description; {@code name} (the object key) is used in error messages. */
    public static IncarnationInfo fromBytes(byte[] bytes, String name) throws SegmentException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new CorruptSegmentException(name, -1, "unreadable incarnation description: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("formatVersion").canConvertToInt()
                || !root.path("topic").isTextual() || !root.path("clusterId").isTextual()
                || !root.path("topicId").isTextual()) {
            throw new CorruptSegmentException(name, -1, "not an incarnation description (formatVersion, topic, "
                    + "clusterId and topicId are required)");
        }
        int version = root.get("formatVersion").intValue();
        if (version > FORMAT_VERSION) {
            throw new SegmentException("Incarnation description " + name + " has formatVersion " + version
                    + ", newer than the newest this reader knows (" + FORMAT_VERSION + "); upgrade the plugin");
        }
        return new IncarnationInfo(version, root.get("topic").textValue(), root.get("clusterId").textValue(),
                root.get("topicId").textValue(), root.path("createdAtMs").asLong(0));
    }
}
