package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a segment's objects sit in the bucket. Under {@code s3.prefix}, one folder per topic-partition:
 * <pre>
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;.log        the record batches (the local .log, byte for byte)
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;.index      the offset index
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;.timeindex  the time index
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;.json       the marker (SegmentMetadata), uploaded last
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;partition&gt;/manifest.json                 the partition's manifest (SegmentManifest)
 * </pre>
 * {@code <base>} is the base offset in 20 zero-padded digits, so keys sort by offset and a listing can start after
 * any offset; {@code <writerId>} is the writer recorded in the marker, with every character but letters, digits,
 * {@code .}, {@code _} and {@code -} written as {@code %XX} (its UTF-8 bytes in hex). Two writers of one partition (a zombie task after a rebalance) therefore never write the same
 * key, and a reader pairs a marker only with the files of its own writer. Every object but the manifest is
 * written once; each carries its CRC32C (8 hex digits) in the user metadata {@code crc32c}. Without a prefix the
 * topic folders sit at the bucket's root. Because the manifest names segments relative to the partition folder,
 * a partition folder copied under another prefix or bucket stays readable.
 */
public final class RemoteLayout {

    public static final String MANIFEST_NAME = "manifest.json";
    public static final String LOG_SUFFIX = SegmentFiles.LOG_SUFFIX;
    public static final String INDEX_SUFFIX = SegmentFiles.INDEX_SUFFIX;
    public static final String TIME_INDEX_SUFFIX = SegmentFiles.TIME_INDEX_SUFFIX;
    public static final String MARKER_SUFFIX = SegmentFiles.MARKER_SUFFIX;

    private static final Pattern MARKER_NAME = Pattern.compile("(\\d{20})-([A-Za-z0-9._%-]+)\\.json");

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

    /** {@code <prefix>/<topic>/<partition>/} */
    public String partitionPrefix(String topic, int partition) {
        return rootPrefix() + topic + "/" + partition + "/";
    }

    public String manifestKey(String topic, int partition) {
        return partitionPrefix(topic, partition) + MANIFEST_NAME;
    }

    /** {@code <base>-<writerId>}: the name every object of one segment starts with. */
    public static String segmentName(long baseOffset, String writerId) {
        if (writerId.isEmpty()) {
            throw new IllegalArgumentException("A segment of base offset " + baseOffset + " has an empty writer id");
        }
        return SegmentFiles.baseName(baseOffset) + "-" + encodeWriterId(writerId);
    }

    /** Letters, digits, '.', '_' and '-' as they are; any other character as %XX per UTF-8 byte. */
    static String encodeWriterId(String writerId) {
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
        String base = partitionPrefix(meta.topic(), meta.partition()) + segmentName(meta.baseOffset(),
                meta.writerId());
        return new SegmentKeys(base + LOG_SUFFIX, base + INDEX_SUFFIX, base + TIME_INDEX_SUFFIX,
                base + MARKER_SUFFIX);
    }

    /** The name (key without the partition prefix) of the marker of {@code meta}. */
    public static String markerName(SegmentMetadata meta) {
        return segmentName(meta.baseOffset(), meta.writerId()) + MARKER_SUFFIX;
    }

    /**
     * The base offset and writer of a marker named {@code name} (the key after the partition prefix); empty when
     * {@code name} is not a marker (a data file, the manifest, a foreign object).
     */
    public static Optional<MarkerName> parseMarkerName(String name) {
        Matcher m = MARKER_NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new MarkerName(Long.parseLong(m.group(1)), m.group(2)));
    }

    /** A marker's identity, from its name; {@code encodedWriterId} as in the key. */
    public record MarkerName(long baseOffset, String encodedWriterId) {
    }

    /** The keys of one segment's four objects, in upload order (the marker last). */
    public record SegmentKeys(String log, String offsetIndex, String timeIndex, String marker) {
    }
}
