package io.tieredarchive.dr;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * An offset sync of a replay: a run of {@code count} archived records, from original offset {@code originalFirst}
 * to {@code originalLast}, that the replay wrote to consecutive offsets of one target partition from
 * {@code targetFirst} on. A run holds consecutive replayed records of one archived partition, so the archived
 * records between its first and last original offsets are exactly its records; where it has as many records as
 * offsets ({@link #dense}), the target offset of any of them is arithmetic, and otherwise (compaction gaps) the
 * archive's own offsets give it. A run ends where the target's offsets jump (an exactly-once transaction's commit
 * marker, another producer's record) or the replay skipped a record.
 *
 * <p>Replay tasks write them to a compacted topic of the target cluster ({@code replay.offset.syncs.topic}), one
 * record per run, rewritten under the same key as the run grows. Key and value are UTF-8 JSON, fields in this
 * order (the key's bytes must not vary, or compaction would keep two versions of a run):
 * <pre>
 * key:   {"targetTopicId":"Q2xdcE3xR7ygn1bw5Hi1Lg","targetPartition":0,"targetFirst":1200}
 * value: {
 *   "formatVersion" : 1,                   // int: this layout; a reader refuses a newer version
 *   "topic" : "orders",                    // string: the archived topic
 *   "incarnation" : "MkU3...Qg.xS2p...SA", // string: its incarnation id (cluster id . topic id), or "legacy"
 *   "partition" : 0,                       // int: the archived partition
 *   "targetTopic" : "orders",              // string: the topic replayed into
 *   "targetTopicId" : "Q2xdcE3xR7ygn1bw5Hi1Lg", // string: its topic id, so that a recreated target's runs differ
 *   "targetPartition" : 0,                 // int
 *   "originalFirst" : 5000,                // long: original offset of the run's first record
 *   "originalLast" : 5999,                 // long: original offset of its last record
 *   "targetFirst" : 1200,                  // long: target offset of its first record
 *   "count" : 1000,                        // long: records in the run, at targetFirst..targetFirst+count-1
 *   "recordedAtMs" : 1700000000000,        // long: when the task wrote this version (its clock)
 *   "writer" : "dr-replay-0"               // string: the replay task
 * }
 * </pre>
 */
public record OffsetSync(String topic, String incarnation, int partition, String targetTopic, String targetTopicId,
                         int targetPartition, long originalFirst, long originalLast, long targetFirst, long count,
                         long recordedAtMs, String writer) {

    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = new JsonFactory();

    public OffsetSync {
        if (count < 1 || originalFirst < 0 || originalLast < originalFirst || targetFirst < 0
                || originalLast - originalFirst + 1 < count) {
            throw new IllegalArgumentException("Not a run of replayed records: original offsets " + originalFirst
                    + ".." + originalLast + ", " + count + " records from target offset " + targetFirst);
        }
    }

    /** Target offset of the last record. */
    public long targetLast() {
        return targetFirst + count - 1;
    }

    /** True when every original offset from first to last is a record of the run (no compaction gap). */
    public boolean dense() {
        return originalLast - originalFirst + 1 == count;
    }

    public byte[] key() {
        return write(json -> {
            json.writeStringField("targetTopicId", targetTopicId);
            json.writeNumberField("targetPartition", targetPartition);
            json.writeNumberField("targetFirst", targetFirst);
        });
    }

    public byte[] value() {
        return write(json -> {
            json.writeNumberField("formatVersion", FORMAT_VERSION);
            json.writeStringField("topic", topic);
            json.writeStringField("incarnation", incarnation);
            json.writeNumberField("partition", partition);
            json.writeStringField("targetTopic", targetTopic);
            json.writeStringField("targetTopicId", targetTopicId);
            json.writeNumberField("targetPartition", targetPartition);
            json.writeNumberField("originalFirst", originalFirst);
            json.writeNumberField("originalLast", originalLast);
            json.writeNumberField("targetFirst", targetFirst);
            json.writeNumberField("count", count);
            json.writeNumberField("recordedAtMs", recordedAtMs);
            json.writeStringField("writer", writer);
        });
    }

    /**
     * Parses a sync record's value.
     *
     * @throws IllegalArgumentException naming what is wrong, for a value that is not a sync (or of a newer version)
     */
    public static OffsetSync fromValue(byte[] value) {
        JsonNode v;
        try {
            v = value == null ? null : MAPPER.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable offset sync: " + e.getMessage(), e);
        }
        if (v == null || !v.isObject() || !v.path("formatVersion").canConvertToInt()) {
            throw new IllegalArgumentException("not an offset sync (no formatVersion)");
        }
        if (v.get("formatVersion").intValue() > FORMAT_VERSION) {
            throw new IllegalArgumentException("an offset sync of formatVersion " + v.get("formatVersion").intValue()
                    + ", newer than this reader knows (" + FORMAT_VERSION + "); upgrade the plugin");
        }
        for (String field : new String[] {"topic", "incarnation", "targetTopic", "targetTopicId", "writer"}) {
            if (!v.path(field).isTextual()) {
                throw new IllegalArgumentException("an offset sync without '" + field + "'");
            }
        }
        for (String field : new String[] {"partition", "targetPartition", "originalFirst", "originalLast",
                "targetFirst", "count"}) {
            if (!v.path(field).canConvertToLong()) {
                throw new IllegalArgumentException("an offset sync without '" + field + "'");
            }
        }
        return new OffsetSync(v.get("topic").textValue(), v.get("incarnation").textValue(),
                v.get("partition").intValue(), v.get("targetTopic").textValue(), v.get("targetTopicId").textValue(),
                v.get("targetPartition").intValue(), v.get("originalFirst").longValue(),
                v.get("originalLast").longValue(), v.get("targetFirst").longValue(), v.get("count").longValue(),
                v.path("recordedAtMs").asLong(0), v.get("writer").textValue());
    }

    @Override
    public String toString() {
        return topic + "-" + partition + " original offsets " + originalFirst + ".." + originalLast + " (" + count
                + " records) at " + targetTopic + "-" + targetPartition + " offsets " + targetFirst + ".."
                + targetLast();
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private static byte[] write(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialise an offset sync", e);
        }
        return out.toByteArray();
    }
}
