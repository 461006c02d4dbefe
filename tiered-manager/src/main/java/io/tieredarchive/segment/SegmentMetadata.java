package io.tieredarchive.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The marker ({@code <base>.json}) of a sealed segment, its commit record: written last, atomically, once the
 * three other files are fsynced. Its presence means the segment is complete; its fields let a reader check the
 * files without reading them twice. UTF-8 JSON, one object:
 * <pre>
 * {
 *   "formatVersion" : 1,                  // int: this layout; a reader refuses a version newer than it knows
 *   "topic" : "orders",                   // string: source topic
 *   "partition" : 3,                      // int: source partition
 *   "baseOffset" : 42,                    // long: the segment's base offset (the number in the file names)
 *   "lastOffset" : 1041,                  // long: offset of the last record; baseOffset - 1 when empty
 *   "recordCount" : 998,                  // long: number of records (offsets may have gaps: compacted topics)
 *   "firstTimestamp" : 1700000000000,     // long: timestamp of the first record, -1 when empty
 *   "maxTimestamp" : 1700000009999,       // long: largest record timestamp, -1 when empty
 *   "codec" : "zstd",                     // string: compression of the batches
 *   "writerId" : "sink-0-7f3a...",        // string: the writer that produced the files
 *   "sealedAtMs" : 1700000010000,         // long: wall clock at sealing
 *   "log" :         { "size" : 123456, "crc32c" : "1a2b3c4d" },  // byte size and CRC32C (8 lowercase hex
 *   "offsetIndex" : { "size" : 80,     "crc32c" : "..." },        // digits) of each whole file
 *   "timeIndex" :   { "size" : 120,    "crc32c" : "..." },
 *   "clusterId" : "MkU3OEVBNTcwNTJENDM2Qg",  // string or null: Kafka cluster id of the archived topic   (version 2)
 *   "topicId" : "xS2pZ3pXQ7eHbd6gFK6TSA",   // string or null: topic id (KIP-516) of the archived topic (version 2)
 *   "startOffset" : 40,                   // long: the segment is complete from here: the partition has no record in
 *                                         // [startOffset, baseOffset); -1 when unknown                  (version 2)
 *   "destination" : "s3://archive/prod"   // string or null: where the writer archives it (bucket, prefix and, for
 *                                         // S3-compatible stores, " at <endpoint>")                       (version 2)
 * }
 * </pre>
 * Version 2 added the last four fields; a version-1 marker reads as one with null identity and destination and
 * {@code startOffset} -1. {@code clusterId} and {@code topicId} are both null or both set: a marker with them
 * belongs to that incarnation of the topic, one without to the legacy incarnation (archives written before
 * identities existed). Unknown fields are ignored, so a reader accepts a marker of its version that gained
 * optional fields.
 */
public record SegmentMetadata(int formatVersion, String topic, int partition, long baseOffset, long lastOffset,
                              long recordCount, long firstTimestamp, long maxTimestamp, String codec,
                              String writerId, long sealedAtMs, FileInfo log, FileInfo offsetIndex,
                              FileInfo timeIndex, String clusterId, String topicId, long startOffset,
                              String destination) {

    /** The marker layout this code writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 2;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.INDENT_OUTPUT, true);

    /** Size and CRC32C (8 lowercase hex digits, {@link java.util.zip.CRC32C}) of one whole file. */
    public record FileInfo(long size, String crc32c) {

        /** Reads {@code file} through once to measure it. */
        public static FileInfo of(Path file) throws IOException {
            CRC32C crc = new CRC32C();
            long size = 0;
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                while (channel.read(buffer.clear()) >= 0) {
                    buffer.flip();
                    size += buffer.remaining();
                    crc.update(buffer);
                }
            }
            return new FileInfo(size, hex(crc.getValue()));
        }

        /** Size and checksum of {@code bytes}. */
        public static FileInfo of(byte[] bytes) {
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            return new FileInfo(bytes.length, hex(crc.getValue()));
        }

        private static String hex(long crc) {
            return String.format("%08x", crc);
        }
    }

    /** Reads and checks the marker at {@code marker}. */
    public static SegmentMetadata read(Path marker) throws SegmentException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(marker)) {
            bytes = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new SegmentException("Segment marker " + marker + " does not exist: the segment is not sealed", e);
        } catch (IOException e) {
            throw new SegmentException("Cannot read segment marker " + marker + ": " + e.getMessage(), e);
        }
        return fromBytes(bytes, marker.toString());
    }

    /**
     * Parses a marker's bytes. {@code name} (file path or object key) is used in error messages. A marker whose
     * {@code formatVersion} is newer than {@link #FORMAT_VERSION} is refused: this code cannot know what changed.
     */
    public static SegmentMetadata fromBytes(byte[] bytes, String name) throws SegmentException {
        SegmentMetadata meta;
        try {
            JsonNode tree = MAPPER.readTree(bytes);
            if (tree == null || !tree.isObject() || !tree.path("formatVersion").canConvertToInt()) {
                throw new CorruptSegmentException(name, -1, "not a segment marker (no integer formatVersion)");
            }
            int version = tree.get("formatVersion").intValue();
            if (version > FORMAT_VERSION) {
                throw new SegmentException("Segment marker " + name + " has formatVersion " + version
                        + ", newer than the newest this reader knows (" + FORMAT_VERSION
                        + "); upgrade the plugin to read it");
            }
            meta = MAPPER.treeToValue(tree, SegmentMetadata.class);
            if (version < 2 || !tree.has("startOffset")) {
                meta = meta.withStartOffset(-1);
            }
        } catch (JsonProcessingException e) {
            throw new CorruptSegmentException(name, -1, "unreadable segment marker: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CorruptSegmentException(name, -1, "unreadable segment marker: " + e.getMessage(), e);
        }
        meta.check(name);
        return meta;
    }

    private void check(String name) throws CorruptSegmentException {
        String problem = null;
        if (formatVersion < 1) {
            problem = "formatVersion " + formatVersion + " is not a version";
        } else if (topic == null || codec == null || writerId == null) {
            problem = "topic, codec and writerId are required";
        } else if ((clusterId == null) != (topicId == null)) {
            problem = "clusterId and topicId are both set or both absent";
        } else if (log == null || offsetIndex == null || timeIndex == null) {
            problem = "log, offsetIndex and timeIndex are required";
        } else if (baseOffset < 0 || lastOffset < baseOffset - 1 || recordCount < 0
                || recordCount > lastOffset - baseOffset + 1) {
            problem = "inconsistent offsets: baseOffset " + baseOffset + ", lastOffset " + lastOffset
                    + ", recordCount " + recordCount;
        }
        if (problem != null) {
            throw new CorruptSegmentException(name, -1, problem);
        }
    }

    /** The marker as UTF-8 JSON. */
    public byte[] toBytes() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise segment metadata " + this, e);
        }
    }

    /** This marker with another {@code startOffset}. */
    SegmentMetadata withStartOffset(long offset) {
        return new SegmentMetadata(formatVersion, topic, partition, baseOffset, lastOffset, recordCount,
                firstTimestamp, maxTimestamp, codec, writerId, sealedAtMs, log, offsetIndex, timeIndex, clusterId,
                topicId, offset, destination);
    }

    /** True when the marker records the cluster and topic ids of its topic (not a legacy segment). */
    public boolean hasIdentity() {
        return clusterId != null;
    }

    /**
     * The first offset from which this segment is complete: {@code startOffset} when known (at most the base
     * offset), else the base offset.
     */
    public long completeFrom() {
        return startOffset < 0 ? baseOffset : Math.min(startOffset, baseOffset);
    }

    /** The offset after the last record: where the next segment of the partition starts. */
    public long nextOffset() {
        return lastOffset + 1;
    }
}
