package io.tieredarchive.config;

import java.util.Locale;

/**
 * The batch codecs {@code compression.type} names: Kafka's five, with the id a v2 batch stores in bits 0-2 of its
 * attributes and the level ranges Kafka accepts for them (KIP-390). Kafka's own {@code CompressionType} is not
 * public API (it moved to {@code org.apache.kafka.common.record.internal} in Kafka 4.3), so the plugin keeps this
 * table itself; the values are fixed by the format and by the codec libraries.
 */
public enum CompressionCodec {
    NONE(0, "none", false, 0, 0, 0),
    /** Levels of zlib; Kafka's default is zlib's DEFAULT_COMPRESSION, which zlib runs as level 6. */
    GZIP(1, "gzip", true, 1, 9, 6),
    SNAPPY(2, "snappy", false, 0, 0, 0),
    /** Levels of lz4-java's high compressor; at the default level Kafka uses the fast compressor instead. */
    LZ4(3, "lz4", true, 1, 17, 9),
    /** ZSTD_minCLevel() to ZSTD_maxCLevel(); ZSTD_CLEVEL_DEFAULT. */
    ZSTD(4, "zstd", true, -131072, 22, 3);

    private final int id;
    private final String codecName;
    private final boolean takesLevel;
    private final int minLevel;
    private final int maxLevel;
    private final int defaultLevel;

    CompressionCodec(int id, String codecName, boolean takesLevel, int minLevel, int maxLevel, int defaultLevel) {
        this.id = id;
        this.codecName = codecName;
        this.takesLevel = takesLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
        this.defaultLevel = defaultLevel;
    }

    /** The codec named {@code name} (any case); IllegalArgumentException for any other name. */
    public static CompressionCodec forName(String name) {
        for (CompressionCodec codec : values()) {
            if (codec.codecName.equals(name.toLowerCase(Locale.ROOT))) {
                return codec;
            }
        }
        throw new IllegalArgumentException("Unknown compression.type '" + name
                + "'; expected none, gzip, snappy, lz4 or zstd");
    }

    /** The codec whose id a batch's attributes hold, or null for an id no codec has (5 to 7). */
    public static CompressionCodec forId(int id) {
        for (CompressionCodec codec : values()) {
            if (codec.id == id) {
                return codec;
            }
        }
        return null;
    }

    /** Bits 0-2 of a v2 batch's attributes. */
    public int id() {
        return id;
    }

    /** The name {@code compression.type} and the segment marker use: none, gzip, snappy, lz4, zstd. */
    public String codecName() {
        return codecName;
    }

    public boolean takesLevel() {
        return takesLevel;
    }

    public int minLevel() {
        return minLevel;
    }

    public int maxLevel() {
        return maxLevel;
    }

    /** The level used when {@code compression.level} is unset. */
    public int defaultLevel() {
        return defaultLevel;
    }

    /** Why {@code level} does not suit this codec, or null when it does. */
    public String levelProblem(int level) {
        if (!takesLevel) {
            return "compression.type=" + codecName + " takes no level; unset compression.level";
        }
        if (level < minLevel || level > maxLevel) {
            return "level " + level + " is outside " + codecName + "'s range " + levelRange();
        }
        return null;
    }

    /** {@code min..max}, for messages and docs. */
    public String levelRange() {
        return minLevel + ".." + maxLevel;
    }
}
