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
 * The committed offsets of the selected consumer groups on one topic, at one moment: what a restore translates
 * ({@code <topic>/<incarnation>/groups/<day>/<stamp>-<writer>.json}, see {@link SnapshotLayout}). Written once by
 * the sink connector that archives the topic, never rewritten; a later snapshot is another object. UTF-8 JSON, one
 * object, groups ordered by id and partitions by number:
 * <pre>
 * {
 *   "formatVersion" : 1,                      // int: this layout; a reader refuses a newer version
 *   "topic" : "orders",                       // string: the archived topic
 *   "clusterId" : "MkU3OEVBNTcwNTJENDM2Qg",   // string: the Kafka cluster id of the topic when the offsets were read
 *   "topicId" : "xS2pZ3pXQ7eHbd6gFK6TSA",     // string: its topic id (KIP-516): the incarnation the offsets mean
 *   "snapshotAtMs" : 1700000060000,           // long: when the offsets were read (the writer's clock)
 *   "writer" : "orders-archive",              // string: the sink connector that wrote it
 *   "partitions" : 3,                         // int: the topic's partition count then
 *   "groups" : [                              // every selected group with a committed offset on the topic
 *     { "group" : "billing",                  // string: the group id
 *       "offsets" : [                         // one per partition with a committed offset
 *         { "partition" : 0,                  // int
 *           "offset" : 1042,                  // long: the next offset the group reads (Kafka's committed offset)
 *           "metadata" : "" } ] } ]           // string: the metadata committed with it ("" when none)
 * }
 * </pre>
 * A partition without a committed offset is absent; so is a group without one on this topic. A consumer restored
 * from it starts each listed partition at the translation of {@code offset}, and the others where its
 * {@code auto.offset.reset} says.
 */
public record GroupOffsetsSnapshot(int formatVersion, String topic, String clusterId, String topicId,
                                   long snapshotAtMs, String writer, int partitions,
                                   SortedMap<String, SortedMap<Integer, CommittedOffset>> groups) {

    public static final int FORMAT_VERSION = 1;

    /** One committed offset: the next offset to read, and the metadata committed with it. */
    public record CommittedOffset(long offset, String metadata) {
        public CommittedOffset {
            if (offset < 0) {
                throw new IllegalArgumentException("A committed offset is 0 or more, got " + offset);
            }
            metadata = metadata == null ? "" : metadata;
        }
    }

    public GroupOffsetsSnapshot {
        SortedMap<String, SortedMap<Integer, CommittedOffset>> copy = new TreeMap<>();
        groups.forEach((g, offsets) -> copy.put(g, Collections.unmodifiableSortedMap(new TreeMap<>(offsets))));
        groups = Collections.unmodifiableSortedMap(copy);
    }

    public static GroupOffsetsSnapshot of(String topic, Incarnation incarnation, long snapshotAtMs, String writer,
                                          int partitions, Map<String, ? extends Map<Integer, CommittedOffset>> groups) {
        SortedMap<String, SortedMap<Integer, CommittedOffset>> sorted = new TreeMap<>();
        groups.forEach((g, offsets) -> sorted.put(g, new TreeMap<>(offsets)));
        return new GroupOffsetsSnapshot(FORMAT_VERSION, topic, incarnation.clusterId(), incarnation.topicId(),
                snapshotAtMs, writer, partitions, sorted);
    }

    public Incarnation incarnation() {
        return Incarnation.of(clusterId, topicId);
    }

    /** The same groups at the same offsets, whenever they were read. */
    public boolean sameOffsets(GroupOffsetsSnapshot other) {
        return other != null && groups.equals(other.groups) && partitions == other.partitions;
    }

    public byte[] toBytes() {
        return SnapshotJson.write("group snapshot", formatVersion,
                new SnapshotJson.Identity(topic, clusterId, topicId, snapshotAtMs, writer), partitions, json -> {
                    json.writeArrayFieldStart("groups");
                    for (Map.Entry<String, SortedMap<Integer, CommittedOffset>> g : groups.entrySet()) {
                        json.writeStartObject();
                        json.writeStringField("group", g.getKey());
                        json.writeArrayFieldStart("offsets");
                        for (Map.Entry<Integer, CommittedOffset> o : g.getValue().entrySet()) {
                            json.writeStartObject();
                            json.writeNumberField("partition", o.getKey());
                            json.writeNumberField("offset", o.getValue().offset());
                            json.writeStringField("metadata", o.getValue().metadata());
                            json.writeEndObject();
                        }
                        json.writeEndArray();
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                });
    }

    /** Parses a snapshot; {@code name} (the object key) names it in errors. */
    public static GroupOffsetsSnapshot fromBytes(byte[] bytes, String name) throws SegmentException {
        JsonNode root = SnapshotJson.read(bytes, name, "group offsets snapshot");
        int version = SnapshotJson.version(root, name, FORMAT_VERSION, "Group offsets snapshot");
        SnapshotJson.Identity id = SnapshotJson.identity(root, name);
        if (!root.path("partitions").canConvertToInt() || !root.path("groups").isArray()) {
            throw new CorruptSegmentException(name, -1, "not a group offsets snapshot (partitions and groups are "
                    + "required)");
        }
        SortedMap<String, SortedMap<Integer, CommittedOffset>> groups = new TreeMap<>();
        for (JsonNode g : root.get("groups")) {
            if (!g.path("group").isTextual() || !g.path("offsets").isArray()) {
                throw new CorruptSegmentException(name, -1, "a group without 'group' or 'offsets': " + g);
            }
            SortedMap<Integer, CommittedOffset> offsets = new TreeMap<>();
            for (JsonNode o : g.get("offsets")) {
                if (!o.path("partition").canConvertToInt() || o.get("partition").intValue() < 0
                        || !o.path("offset").canConvertToLong() || o.get("offset").longValue() < 0) {
                    throw new CorruptSegmentException(name, -1, "group '" + g.get("group").textValue()
                            + "' has an offset without a partition and offset of 0 or more: " + o);
                }
                offsets.put(o.get("partition").intValue(), new CommittedOffset(o.get("offset").longValue(),
                        o.path("metadata").asText("")));
            }
            groups.put(g.get("group").textValue(), offsets);
        }
        return new GroupOffsetsSnapshot(version, id.topic(), id.clusterId(), id.topicId(), id.snapshotAtMs(),
                id.writer(), root.get("partitions").intValue(), groups);
    }
}
