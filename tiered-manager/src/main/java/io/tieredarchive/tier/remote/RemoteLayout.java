package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a segment's objects sit in the bucket. Under {@code s3.prefix}, one folder per topic, one per incarnation of
 * the topic ({@link Incarnation}: cluster id and topic id), one per partition, and one per segment:
 * <pre>
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/incarnation.json                             the incarnation (IncarnationInfo)
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/&lt;partition&gt;/manifest.json                 the partition's manifest (SegmentManifest)
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;/&lt;base&gt;.log        record batches (the local .log, byte for byte)
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;/&lt;base&gt;.index      the offset index
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;/&lt;base&gt;.timeindex  the time index
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;/&lt;base&gt;.json       the marker, uploaded last
 * </pre>
 * {@code <incarnation>} is {@link Incarnation#id()}, {@code <clusterId>.<topicId>}. {@code <base>} is the base offset
 * in 20 zero-padded digits, so keys sort by offset and a listing can start after any offset, and a segment's files
 * keep Kafka's own names: a plain download of a segment folder is read by {@code kafka-dump-log.sh} as it is.
 * {@code <writerId>} is the writer recorded in the marker, with every character but letters, digits, {@code .},
 * {@code _} and {@code -} written as {@code %XX} (its UTF-8 bytes in hex): two writers of one partition (a zombie
 * task after a rebalance) never write the same key, and a reader pairs a marker only with its own writer's files.
 *
 * <p>Archives written before identities existed (marker format 1, the <em>legacy</em> incarnation) keep their
 * layout, which this class still reads and names:
 * <pre>
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;.log | .index | .timeindex | .json
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;partition&gt;/manifest.json
 * </pre>
 * A topic folder tells the two apart by its subfolders' names: a partition number (legacy) or an incarnation id
 * (which holds a dot). Every object but the manifest is written once; each carries its CRC32C (8 hex digits) in the
 * user metadata {@code crc32c}. Without a prefix the topic folders sit at the bucket's root. The manifest names
 * segments relative to the partition folder, so a partition folder copied under another prefix or bucket stays
 * readable.
 */
public final class RemoteLayout {

    public static final String MANIFEST_NAME = "manifest.json";
    public static final String INCARNATION_NAME = "incarnation.json";
    public static final String LOG_SUFFIX = SegmentFiles.LOG_SUFFIX;
    public static final String INDEX_SUFFIX = SegmentFiles.INDEX_SUFFIX;
    public static final String TIME_INDEX_SUFFIX = SegmentFiles.TIME_INDEX_SUFFIX;
    public static final String MARKER_SUFFIX = SegmentFiles.MARKER_SUFFIX;

    private static final Pattern LEGACY_MARKER_NAME = Pattern.compile("(\\d{20})-([A-Za-z0-9._%-]+)\\.json");
    private static final Pattern MARKER_NAME = Pattern.compile("(\\d{20})-([A-Za-z0-9._%-]+)/(\\d{20})\\.json");

    private final String prefix;

    /** @param prefix the key prefix ({@code s3.prefix}) without leading or trailing slash; "" for the root */
    public RemoteLayout(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** {@code <prefix>/} or "" : where the topic folders are. */
    public String rootPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    /** {@code <prefix>/<topic>/}: where the incarnation folders (and legacy partition folders) of a topic are. */
    public String topicPrefix(String topic) {
        return rootPrefix() + topic + "/";
    }

    /** {@code <prefix>/<topic>/<incarnation>/}, or the topic's folder for the legacy incarnation. */
    public String incarnationPrefix(String topic, Incarnation incarnation) {
        return incarnation.isLegacy() ? topicPrefix(topic) : topicPrefix(topic) + incarnation.id() + "/";
    }

    /** The key of an incarnation's description; none for the legacy incarnation. */
    public String incarnationKey(String topic, Incarnation incarnation) {
        if (incarnation.isLegacy()) {
            throw new IllegalArgumentException("The legacy incarnation of " + topic + " has no description");
        }
        return incarnationPrefix(topic, incarnation) + INCARNATION_NAME;
    }

    /** {@code <prefix>/<topic>/<incarnation>/<partition>/} ({@code <prefix>/<topic>/<partition>/} when legacy) */
    public String partitionPrefix(ArchivePartition p) {
        return incarnationPrefix(p.topic(), p.incarnation()) + p.partition() + "/";
    }

    public String manifestKey(ArchivePartition p) {
        return partitionPrefix(p) + MANIFEST_NAME;
    }

    /** {@code <base>-<writerId>}: the name every object of one segment starts with. */
    public static String segmentName(long baseOffset, String writerId) {
        if (writerId.isEmpty()) {
            throw new IllegalArgumentException("A segment of base offset " + baseOffset + " has an empty writer id");
        }
        return SegmentFiles.baseName(baseOffset) + "-" + encodeWriterId(writerId);
    }

    /** Letters, digits, '.', '_' and '-' as they are; any other character as %XX per UTF-8 byte. */
    public static String encodeWriterId(String writerId) {
        StringBuilder out = new StringBuilder(writerId.length());
        for (byte b : writerId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** The four keys of the segment {@code meta} describes. */
    public SegmentKeys keys(SegmentMetadata meta) {
        String base = partitionPrefix(ArchivePartition.of(meta)) + segmentStem(meta);
        return new SegmentKeys(base + LOG_SUFFIX, base + INDEX_SUFFIX, base + TIME_INDEX_SUFFIX,
                base + MARKER_SUFFIX);
    }

    /** The name (key without the partition prefix) of the marker of {@code meta}. */
    public static String markerName(SegmentMetadata meta) {
        return segmentStem(meta) + MARKER_SUFFIX;
    }

    /**
     * The name of a segment's objects without their extension, relative to the partition folder:
     * {@code <base>-<writerId>/<base>}, or {@code <base>-<writerId>} for a legacy segment.
     */
    public static String segmentStem(SegmentMetadata meta) {
        String name = segmentName(meta.baseOffset(), meta.writerId());
        return meta.hasIdentity() ? name + "/" + SegmentFiles.baseName(meta.baseOffset()) : name;
    }

    /**
     * The base offset and writer of a marker named {@code name} (the key after the partition prefix), in either
     * layout; empty when {@code name} is not a marker (a data file, the manifest, a foreign object).
     */
    public static Optional<MarkerName> parseMarkerName(String name) {
        Matcher m = MARKER_NAME.matcher(name);
        if (m.matches() && m.group(1).equals(m.group(3))) {
            return Optional.of(new MarkerName(Long.parseLong(m.group(1)), m.group(2)));
        }
        Matcher legacy = LEGACY_MARKER_NAME.matcher(name);
        if (legacy.matches()) {
            return Optional.of(new MarkerName(Long.parseLong(legacy.group(1)), legacy.group(2)));
        }
        return Optional.empty();
    }

    /** A marker's identity, from its name; {@code encodedWriterId} as in the key. */
    public record MarkerName(long baseOffset, String encodedWriterId) {
    }

    /** The keys of one segment's four objects, in upload order (the marker last). */
    public record SegmentKeys(String log, String offsetIndex, String timeIndex, String marker) {
    }
}
