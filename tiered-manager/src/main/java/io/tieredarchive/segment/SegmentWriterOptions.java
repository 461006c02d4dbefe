package io.tieredarchive.segment;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;

import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link SegmentWriter} builds batches: the codec ({@code none}, {@code gzip}, {@code snappy}, {@code lz4},
 * {@code zstd}), its level (null for the codec's default), the uncompressed size of one batch, and the id of the
 * writer recorded in each segment's marker, with the segment's {@link SegmentOrigin} (identity, start, destination).
 */
public record SegmentWriterOptions(String compressionType, Integer compressionLevel, int batchBytes,
                                   String writerId, SegmentOrigin origin) {

    public SegmentWriterOptions {
        Objects.requireNonNull(compressionType, "compressionType");
        Objects.requireNonNull(writerId, "writerId");
        Objects.requireNonNull(origin, "origin");
        if (batchBytes <= 0) {
            throw new IllegalArgumentException("batchBytes must be positive, got " + batchBytes);
        }
        compression(compressionType, compressionLevel); // fails early on an unknown codec or a bad level
    }

    /** Options of no known origin (tools and tests). */
    public SegmentWriterOptions(String compressionType, Integer compressionLevel, int batchBytes, String writerId) {
        this(compressionType, compressionLevel, batchBytes, writerId, SegmentOrigin.UNKNOWN);
    }

    /** These options for segments of {@code newOrigin}. */
    public SegmentWriterOptions withOrigin(SegmentOrigin newOrigin) {
        return new SegmentWriterOptions(compressionType, compressionLevel, batchBytes, writerId, newOrigin);
    }

    /** The codec these options name, built with Kafka's own compression classes. */
    public Compression compression() {
        return compression(compressionType, compressionLevel);
    }

    private static Compression compression(String type, Integer level) {
        CompressionType codec;
        try {
            codec = CompressionType.forName(type.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("Unknown compression.type '" + type
                    + "'; expected none, gzip, snappy, lz4 or zstd", e);
        }
        if (level == null) {
            return Compression.of(codec).build();
        }
        if (codec == CompressionType.NONE || codec == CompressionType.SNAPPY) {
            throw new IllegalArgumentException("compression.type " + codec.name + " takes no level");
        }
        if (level < codec.minLevel() || level > codec.maxLevel()) {
            throw new IllegalArgumentException("compression.level " + level + " is outside " + codec.name
                    + "'s range " + codec.minLevel() + ".." + codec.maxLevel());
        }
        return switch (codec) {
            case GZIP -> Compression.gzip().level(level).build();
            case LZ4 -> Compression.lz4().level(level).build();
            case ZSTD -> Compression.zstd().level(level).build();
            default -> throw new IllegalStateException("no level for " + codec.name);
        };
    }
}
