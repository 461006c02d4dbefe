package io.tieredarchive.segment;

import io.tieredarchive.config.CompressionCodec;
import io.tieredarchive.segment.codec.BatchCompression;

import java.util.Objects;

/**
 * How a {@link SegmentWriter} builds batches: the codec ({@code none}, {@code gzip}, {@code snappy}, {@code lz4},
 * {@code zstd}), its level (null for the codec's default), the uncompressed size of one batch, and the id of the
 * writer recorded in each segment's marker.
 */
public record SegmentWriterOptions(String compressionType, Integer compressionLevel, int batchBytes,
                                   String writerId) {

    public SegmentWriterOptions {
        Objects.requireNonNull(compressionType, "compressionType");
        Objects.requireNonNull(writerId, "writerId");
        if (batchBytes <= 0) {
            throw new IllegalArgumentException("batchBytes must be positive, got " + batchBytes);
        }
        CompressionCodec codec = CompressionCodec.forName(compressionType); // fails early on an unknown codec
        if (compressionLevel != null && codec.levelProblem(compressionLevel) != null) {
            throw new IllegalArgumentException("compression.level " + compressionLevel + ": "
                    + codec.levelProblem(compressionLevel));
        }
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
