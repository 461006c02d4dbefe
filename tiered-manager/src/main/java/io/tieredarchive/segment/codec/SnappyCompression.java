package io.tieredarchive.segment.codec;

import io.tieredarchive.config.CompressionCodec;
import org.xerial.snappy.SnappyInputStream;
import org.xerial.snappy.SnappyOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Codec {@code snappy}: snappy-java's stream format, the one Kafka writes and reads (a 16-byte header, then blocks
 * of up to 32 KiB, each an int32 length and a raw snappy block). The library's own streams do the framing.
 */
final class SnappyCompression implements BatchCompression {

    static final SnappyCompression INSTANCE = new SnappyCompression();

    private SnappyCompression() {
    }

    @Override
    public CompressionCodec codec() {
        return CompressionCodec.SNAPPY;
    }

    @Override
    public void compress(byte[] src, int offset, int length, GrowableBytes out) throws IOException {
        try (OutputStream snappy = new SnappyOutputStream(out.asOutputStream())) {
            snappy.write(src, offset, length);
        }
    }

    @Override
    public void decompress(ByteBuffer src, GrowableBytes out) throws IOException {
        try (InputStream in = new SnappyInputStream(BatchCompression.inputStream(src))) {
            out.readFully(in);
        }
    }
}
