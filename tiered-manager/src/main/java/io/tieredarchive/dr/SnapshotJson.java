package io.tieredarchive.dr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;

import java.io.IOException;

/** What the two snapshot formats share when they are read: the JSON, the version check and the identity fields. */
final class SnapshotJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The fields every snapshot starts with. */
    record Identity(String topic, String clusterId, String topicId, long snapshotAtMs, String writer) {
    }

    private SnapshotJson() {
    }

    static JsonNode read(byte[] bytes, String name, String what) throws CorruptSegmentException {
        try {
            JsonNode root = MAPPER.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new CorruptSegmentException(name, -1, "not a " + what + " (no JSON object)");
            }
            return root;
        } catch (IOException e) {
            throw new CorruptSegmentException(name, -1, "unreadable " + what + ": " + e.getMessage(), e);
        }
    }

    /** The format version, refused when newer than {@code newest}. */
    static int version(JsonNode root, String name, int newest, String what) throws SegmentException {
        if (!root.path("formatVersion").canConvertToInt()) {
            throw new CorruptSegmentException(name, -1, what + " without an integer formatVersion");
        }
        int version = root.get("formatVersion").intValue();
        if (version > newest) {
            throw new SegmentException(what + " " + name + " has formatVersion " + version + ", newer than the "
                    + "newest this reader knows (" + newest + "); upgrade the plugin to read it");
        }
        return version;
    }

    static Identity identity(JsonNode root, String name) throws CorruptSegmentException {
        for (String field : new String[] {"topic", "clusterId", "topicId", "writer"}) {
            if (!root.path(field).isTextual() || root.get(field).textValue().isEmpty()) {
                throw new CorruptSegmentException(name, -1, "the snapshot has no '" + field + "'");
            }
        }
        if (!root.path("snapshotAtMs").canConvertToLong()) {
            throw new CorruptSegmentException(name, -1, "the snapshot has no 'snapshotAtMs'");
        }
        return new Identity(root.get("topic").textValue(), root.get("clusterId").textValue(),
                root.get("topicId").textValue(), root.get("snapshotAtMs").longValue(),
                root.get("writer").textValue());
    }
}
