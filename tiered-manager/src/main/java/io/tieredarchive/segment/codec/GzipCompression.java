package io.tieredarchive.segment.codec;

import io.tieredarchive.config.CompressionCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Codec {@code gzip}: one gzip member, the JDK's zlib, with Kafka's buffer size (8 KiB) and levels. */
final class GzipCompression implements BatchCompression {

    private static final int BUFFER_BYTES = 8 * 1024;

    private final int level;

    /** {@code level} null: zlib's default, as Kafka's. */
    GzipCompression(Integer level) {
        this.level = level == null ? Deflater.DEFAULT_COMPRESSION : level;
    }

    @Override
    public CompressionCodec codec() {
        return CompressionCodec.GZIP;
    }

    @Override
    public void compress(byte[] src, int offset, int length, GrowableBytes out) throws IOException {
        try (LevelledGzipStream gzip = new LevelledGzipStream(out.asOutputStream(), level)) {
            gzip.write(src, offset, length);
        }
    }

    @Override
    public void decompress(ByteBuffer src, GrowableBytes out) throws IOException {
        try (InputStream in = new GZIPInputStream(BatchCompression.inputStream(src), BUFFER_BYTES)) {
            out.readFully(in);
        }
    }

    /** The JDK's gzip stream at a chosen level (its constructor has none), as Kafka's GzipOutputStream does. */
    private static final class LevelledGzipStream extends GZIPOutputStream {

        LevelledGzipStream(OutputStream out, int level) throws IOException {
            super(out, BUFFER_BYTES);
            def.setLevel(level);
        }
    }
}
