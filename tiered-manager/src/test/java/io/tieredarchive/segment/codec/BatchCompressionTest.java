package io.tieredarchive.segment.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;
import io.tieredarchive.config.CompressionCodec;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * The codecs on their own: round trips at the sizes where framing changes (empty, block boundaries, incompressible
 * data), and the parts of the LZ4 and zstd formats that Kafka's writers never use but a reader must take (checksums,
 * content sizes, several frames). Interoperation with Kafka is {@code KafkaRecordFormatInteropTest}'s.
 */
class BatchCompressionTest {

    private static final int[] SIZES = {0, 1, 100, 32 * 1024, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 1 << 20};

    private static byte[] data(int size, boolean compressible) {
        byte[] bytes = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            bytes[i] = compressible && i % 4 != 0 ? (byte) ('a' + i % 7) : (byte) random.nextInt();
        }
        return bytes;
    }

    private static byte[] decompress(BatchCompression codec, byte[] compressed, int from) throws IOException {
        GrowableBytes out = new GrowableBytes(16);
        codec.decompress(ByteBuffer.wrap(compressed, from, compressed.length - from), out);
        return Arrays.copyOf(out.array(), out.size());
    }

    @ParameterizedTest
    @EnumSource(CompressionCodec.class)
    void roundTripsAtEverySizeWhereTheFramingChanges(CompressionCodec codec) throws IOException {
        BatchCompression compression = BatchCompression.of(codec, null);
        for (int size : SIZES) {
            for (boolean compressible : new boolean[] {true, false}) {
                byte[] src = data(size, compressible);
                GrowableBytes out = new GrowableBytes(8);
                out.write(new byte[] {7, 7, 7}, 0, 3); // appends after what is there
                compression.compress(src, 0, src.length, out);
                byte[] compressed = Arrays.copyOf(out.array(), out.size());
                assertArrayEquals(src, decompress(compression, compressed, 3), codec + " " + size);
            }
        }
    }

    @Test
    void lz4FramesWithChecksumsAndAContentSizeDecodeAndTheirChecksumsAreChecked() throws IOException {
        byte[] src = data(300_000, true);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (LZ4FrameOutputStream lz4 = new LZ4FrameOutputStream(frame, LZ4FrameOutputStream.BLOCKSIZE.SIZE_256KB,
                src.length, LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM,
                LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM, LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE)) {
            lz4.write(src);
        }
        BatchCompression lz4 = BatchCompression.of(CompressionCodec.LZ4, null);
        byte[] bytes = frame.toByteArray();
        assertArrayEquals(src, decompress(lz4, bytes, 0));

        byte[] damaged = bytes.clone();
        damaged[damaged.length - 2] ^= 1; // the content checksum
        IOException e = assertThrows(IOException.class, () -> decompress(lz4, damaged, 0));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IOException.class, () -> decompress(lz4, trailing, 0));
        byte[] notLz4 = bytes.clone();
        notLz4[0] = 0;
        assertThrows(IOException.class, () -> decompress(lz4, notLz4, 0));
        assertThrows(IOException.class, () -> decompress(lz4, Arrays.copyOf(bytes, bytes.length / 2), 0));
    }

    @Test
    void zstdReadsStreamedFramesAndSeveralFramesInARow() throws IOException {
        byte[] first = data(200_000, true);
        byte[] second = data(50_000, false);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        try (ZstdOutputStream streamed = new ZstdOutputStream(frames)) { // no content size, as Kafka writes
            streamed.write(first);
        }
        frames.write(Zstd.compress(second)); // a second frame, with a content size
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        BatchCompression zstd = BatchCompression.of(CompressionCodec.ZSTD, null);
        assertArrayEquals(both, decompress(zstd, frames.toByteArray(), 0));

        ByteArrayOutputStream sized = new ByteArrayOutputStream(); // two frames, each with its content size
        sized.write(Zstd.compress(first));
        sized.write(Zstd.compress(second));
        assertArrayEquals(both, decompress(zstd, sized.toByteArray(), 0));

        byte[] ours = Zstd.compress(first);
        assertArrayEquals(first, decompress(zstd, ours, 0));
        assertThrows(IOException.class, () -> decompress(zstd, Arrays.copyOf(ours, ours.length - 10), 0));
    }
}
