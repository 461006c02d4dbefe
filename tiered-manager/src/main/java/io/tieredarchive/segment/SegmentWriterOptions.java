package io.tieredarchive.segment;

import io.tieredarchive.config.CompressionCodec;
import io.tieredarchive.segment.codec.BatchCompression;

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
        CompressionCodec codec = CompressionCodec.forName(compressionType); // fails early on an unknown codec
        if (compressionLevel != null && codec.levelProblem(compressionLevel) != null) {
            throw new IllegalArgumentException("compression.level " + compressionLevel + ": "
                    + codec.levelProblem(compressionLevel));
        }
    }

    /** Options of no known origin (tools and tests). */
    public SegmentWriterOptions(String compressionType, Integer compressionLevel, int batchBytes, String writerId) {
        this(compressionType, compressionLevel, batchBytes, writerId, SegmentOrigin.UNKNOWN);
    }

    /** These options for segments of {@code newOrigin}. */
    public SegmentWriterOptions withOrigin(SegmentOrigin newOrigin) {
        return new SegmentWriterOptions(compressionType, compressionLevel, batchBytes, writerId, newOrigin);
    }

    /** The codec these options name. */
    public CompressionCodec codec() {
        return CompressionCodec.forName(compressionType);
    }

    /** The codec at the level these options name, as the writer compresses batches. */
    public BatchCompression compression() {
        return BatchCompression.of(codec(), compressionLevel);
    }
}
