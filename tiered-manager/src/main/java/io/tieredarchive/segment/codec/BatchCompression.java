package io.tieredarchive.segment.codec;

import io.tieredarchive.config.CompressionCodec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Compresses and decompresses the records section of a Kafka v2 record batch with one codec, in the framing Kafka's
 * own codecs use, so that Kafka reads what this writes and this reads what Kafka writes:
 * <ul>
 *   <li>gzip: one gzip member (RFC 1952), the JDK's {@code GZIPOutputStream};</li>
 *   <li>snappy: xerial snappy-java's stream format ({@code SnappyOutputStream}: a 16-byte header, then blocks of
 *       up to 32 KiB, each an int32 length and a raw snappy block);</li>
 *   <li>lz4: one LZ4 frame (the LZ4 frame format, blocks of up to 64 KiB, independent, no checksums), as Kafka's
 *       {@code Lz4BlockOutputStream} writes it ({@link Lz4FrameCompression});</li>
 *   <li>zstd: one zstd frame (RFC 8878).</li>
 * </ul>
 * A whole batch is compressed in one call when it is complete, not streamed record by record, so a writer holds no
 * codec state between batches. Instances are thread-safe.
 */
public interface BatchCompression {

    CompressionCodec codec();

    /** Appends the compressed form of {@code src[offset, offset + length)} to {@code out}. */
    void compress(byte[] src, int offset, int length, GrowableBytes out) throws IOException;

    /**
     * Appends the decompressed contents of {@code src} (its remaining bytes, all of which must belong to the
     * compressed data) to {@code out}. Malformed input is an {@link IOException}.
     */
    void decompress(ByteBuffer src, GrowableBytes out) throws IOException;

    /**
     * The compression of {@code codec} at {@code level} (null for the codec's default, which is also what Kafka
     * uses by default). The caller has checked the level against {@link CompressionCodec#levelProblem(int)}.
     */
    static BatchCompression of(CompressionCodec codec, Integer level) {
        return switch (codec) {
            case NONE -> NoCompression.INSTANCE;
            case GZIP -> new GzipCompression(level);
            case SNAPPY -> SnappyCompression.INSTANCE;
            case LZ4 -> new Lz4FrameCompression(level);
            case ZSTD -> new ZstdCompression(level == null ? codec.defaultLevel() : level);
        };
    }

    /** A stream over the remaining bytes of {@code src}, without copying a heap buffer. */
    static InputStream inputStream(ByteBuffer src) {
        if (src.hasArray()) {
            return new ByteArrayInputStream(src.array(), src.arrayOffset() + src.position(), src.remaining());
        }
        byte[] copy = new byte[src.remaining()];
        src.duplicate().get(copy);
        return new ByteArrayInputStream(copy);
    }
}
