package io.tieredarchive.tier.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The per-partition manifest ({@code <topic>/<incarnation>/<partition>/manifest.json}, see {@link RemoteLayout}):
 * the markers of the partition's segments, so that finding the segment of an offset or a timestamp costs one GET
 * rather than one per segment. UTF-8 JSON:
 * <pre>
 * {
 *   "formatVersion" : 2,                          // int: this layout; newer versions are refused
 *   "topic" : "orders",                           // string
 *   "partition" : 3,                              // int
 *   "clusterId" : "MkU3OEVBNTcwNTJENDM2Qg",       // string or null (legacy): the incarnation's cluster id (v2)
 *   "topicId" : "xS2pZ3pXQ7eHbd6gFK6TSA",         // string or null (legacy): the incarnation's topic id   (v2)
 *   "updatedAtMs" : 1700000010000,                // long: wall clock of the writer that wrote this version
 *   "listedThrough" : "00000000000000001042-w1.json", // string or null: the greatest marker name merged
 *   "segments" : [ { ...marker... }, ... ]        // SegmentMetadata objects as in the .json markers,
 * }                                               // ordered by baseOffset, then writerId; at most one per
 *                                                 // (baseOffset, writerId)
 * </pre>
 * The manifest is an accelerator, never the truth: the markers are. Every marker named at or below
 * {@code listedThrough} that existed when this version was written is in it, except one whose writer crashed
 * between uploading the marker and registering it (that writer registers it on its next pass). Readers add the
 * markers listed after {@code listedThrough}; {@link PartitionView} lists the markers of any offset gap it must
 * cross. {@link RemoteSegmentStore#rebuildManifest} recreates it from the markers alone.
 */
public record SegmentManifest(int formatVersion, String topic, int partition, String clusterId, String topicId,
                              long updatedAtMs, String listedThrough, List<SegmentMetadata> segments) {

    public static final int FORMAT_VERSION = 2;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    public static final Comparator<SegmentMetadata> ORDER = Comparator.comparingLong(SegmentMetadata::baseOffset)
            .thenComparing(SegmentMetadata::writerId);

    public SegmentManifest {
        segments = List.copyOf(segments);
    }

    public static SegmentManifest empty(ArchivePartition p) {
        Incarnation i = p.incarnation();
        return new SegmentManifest(FORMAT_VERSION, p.topic(), p.partition(), i.clusterId(), i.topicId(), 0L, null,
                List.of());
    }

    /** The partition this manifest describes. */
    public ArchivePartition archivePartition() {
        return new ArchivePartition(topic, Incarnation.of(clusterId, topicId), partition);
    }

    /**
     * This manifest plus {@code more} (a segment already present, same base offset and writer, is kept once),
     * listed through the greater of the two names.
     */
    public SegmentManifest merge(Collection<SegmentMetadata> more, String listedThrough, long nowMs) {
        TreeMap<String, SegmentMetadata> byName = new TreeMap<>();
        for (SegmentMetadata m : segments) {
            byName.put(RemoteLayout.markerName(m), m);
        }
        for (SegmentMetadata m : more) {
            byName.putIfAbsent(RemoteLayout.markerName(m), m);
        }
        List<SegmentMetadata> merged = new ArrayList<>(byName.values());
        merged.sort(ORDER);
        return new SegmentManifest(FORMAT_VERSION, topic, partition, clusterId, topicId, nowMs,
                max(this.listedThrough, listedThrough), merged);
    }

    /** True when the segment of {@code meta}'s base offset and writer is listed. */
    public boolean contains(SegmentMetadata meta) {
        return contains(meta.baseOffset(), meta.writerId());
    }

    public boolean contains(long baseOffset, String writerId) {
        return segments.stream().anyMatch(s -> s.baseOffset() == baseOffset && s.writerId().equals(writerId));
    }

    public byte[] toBytes() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", formatVersion);
        root.put("topic", topic);
        root.put("partition", partition);
        root.put("clusterId", clusterId);
        root.put("topicId", topicId);
        root.put("updatedAtMs", updatedAtMs);
        root.put("listedThrough", listedThrough);
        ArrayNode array = root.putArray("segments");
        try {
            for (SegmentMetadata m : segments) {
                array.add(MAPPER.readTree(m.toBytes()));
            }
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialise the manifest of " + topic + "-" + partition, e);
        }
    }

    /** Parses a manifest; {@code name} (the object key) is used in error messages. Each segment is checked. */
    public static SegmentManifest fromBytes(byte[] bytes, String name) throws SegmentException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new CorruptSegmentException(name, -1, "unreadable manifest: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("formatVersion").canConvertToInt()
                || !root.path("topic").isTextual() || !root.path("partition").canConvertToInt()
                || !root.path("segments").isArray()) {
            throw new CorruptSegmentException(name, -1, "not a manifest (formatVersion, topic, partition and "
                    + "segments are required)");
        }
        int version = root.get("formatVersion").intValue();
        if (version > FORMAT_VERSION) {
            throw new SegmentException("Manifest " + name + " has formatVersion " + version + ", newer than the "
                    + "newest this reader knows (" + FORMAT_VERSION + "); upgrade the plugin to read it");
        }
        List<SegmentMetadata> segments = new ArrayList<>();
        int i = 0;
        for (JsonNode node : root.get("segments")) {
            try {
                segments.add(SegmentMetadata.fromBytes(MAPPER.writeValueAsBytes(node), name + "#segments[" + i
                        + "]"));
            } catch (IOException e) {
                throw new CorruptSegmentException(name, -1, "segment " + i + ": " + e.getMessage(), e);
            }
            i++;
        }
        JsonNode listed = root.path("listedThrough");
        String clusterId = root.path("clusterId").isTextual() ? root.get("clusterId").textValue() : null;
        String topicId = root.path("topicId").isTextual() ? root.get("topicId").textValue() : null;
        if ((clusterId == null) != (topicId == null)) {
            throw new CorruptSegmentException(name, -1, "clusterId and topicId are both set or both absent");
        }
        return new SegmentManifest(version, root.get("topic").textValue(), root.get("partition").intValue(),
                clusterId, topicId, root.path("updatedAtMs").asLong(0), listed.isTextual() ? listed.textValue() : null,
                segments);
    }

    private static String max(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }
}
