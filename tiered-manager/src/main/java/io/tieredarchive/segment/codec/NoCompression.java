package io.tieredarchive.segment.codec;

import io.tieredarchive.config.CompressionCodec;

import java.nio.ByteBuffer;

/** Codec {@code none}: the records section is stored as it is. */
final class NoCompression implements BatchCompression {

    static final NoCompression INSTANCE = new NoCompression();

    private NoCompression() {
    }

    @Override
    public CompressionCodec codec() {
        return CompressionCodec.NONE;
    }

    @Override
    public void compress(byte[] src, int offset, int length, GrowableBytes out) {
        out.write(src, offset, length);
    }

    @Override
    public void decompress(ByteBuffer src, GrowableBytes out) {
        ByteBuffer bytes = src.duplicate();
        out.ensureRemaining(bytes.remaining());
        int length = bytes.remaining();
        bytes.get(out.array(), out.size(), length);
        out.advance(length);
    }
}
