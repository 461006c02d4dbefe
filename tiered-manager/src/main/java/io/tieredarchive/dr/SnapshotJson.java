package io.tieredarchive.dr;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * What the two snapshot formats share: the JSON, the version check and the identity fields, read and written in one
 * place.
 */
final class SnapshotJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The fields every snapshot starts with. */
    record Identity(String topic, String clusterId, String topicId, long snapshotAtMs, String writer) {
    }

    /** Writes the fields of one kind of snapshot after the shared ones. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    private SnapshotJson() {
    }

    /**
     * A snapshot as pretty-printed JSON: {@code formatVersion}, the identity fields and {@code partitions}, then what
     * {@code body} writes; {@code what} names it in the error of a failed write.
     */
    static byte[] write(String what, int formatVersion, Identity id, int partitions, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeNumberField("formatVersion", formatVersion);
            json.writeStringField("topic", id.topic());
            json.writeStringField("clusterId", id.clusterId());
            json.writeStringField("topicId", id.topicId());
            json.writeNumberField("snapshotAtMs", id.snapshotAtMs());
            json.writeStringField("writer", id.writer());
            json.writeNumberField("partitions", partitions);
            body.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialise the " + what + " of " + id.topic(), e);
        }
        return out.toByteArray();
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
