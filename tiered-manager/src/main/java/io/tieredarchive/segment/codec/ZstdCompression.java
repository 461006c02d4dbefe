package io.tieredarchive.segment.codec;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.tieredarchive.config.CompressionCodec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Codec {@code zstd}: a batch is compressed in one call into one frame that records its content size. Kafka's
 * streaming reader decodes such a frame like the ones its streaming writer makes (no content size). Reading, a
 * frame with a content size is decoded in one call; anything else (Kafka's frames, several frames) is streamed.
 */
final class ZstdCompression implements BatchCompression {

    private final int level;

    ZstdCompression(int level) {
        this.level = level;
    }

    @Override
    public CompressionCodec codec() {
        return CompressionCodec.ZSTD;
    }

    @Override
    public void compress(byte[] src, int offset, int length, GrowableBytes out) throws IOException {
        long bound = Zstd.compressBound(length);
        if (bound > Integer.MAX_VALUE - 8) {
            throw new IOException("cannot compress " + length + " bytes in one zstd frame");
        }
        out.ensureRemaining((int) bound);
        long written = Zstd.compressByteArray(out.array(), out.size(), out.remaining(), src, offset, length, level);
        if (Zstd.isError(written)) {
            throw new IOException("zstd compression failed: " + Zstd.getErrorName(written));
        }
        out.advance((int) written);
    }

    @Override
    public void decompress(ByteBuffer src, GrowableBytes out) throws IOException {
        if (src.hasArray()) {
            byte[] array = src.array();
            int from = src.arrayOffset() + src.position();
            long contentSize = Zstd.getFrameContentSize(array, from, src.remaining());
            if (contentSize >= 0 && contentSize <= Integer.MAX_VALUE - 8) {
                out.ensureRemaining((int) contentSize);
                try {
                    long read = Zstd.decompressByteArray(out.array(), out.size(), (int) contentSize, array, from,
                            src.remaining());
                    if (!Zstd.isError(read) && read == contentSize) {
                        out.advance((int) read);
                        return;
                    }
                } catch (RuntimeException notOneWholeFrame) {
                    // several frames, or a damaged one: the stream below decodes them all or says what is wrong
                }
            }
        }
        try (InputStream in = new ZstdInputStreamNoFinalizer(BatchCompression.inputStream(src),
                RecyclingBufferPool.INSTANCE)) {
            out.readFully(in);
        } catch (RuntimeException e) { // zstd-jni reports some malformed frames with ZstdException
            throw new IOException("malformed zstd data: " + e.getMessage(), e);
        }
    }
}
