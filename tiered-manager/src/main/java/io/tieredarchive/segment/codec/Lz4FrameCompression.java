package io.tieredarchive.segment.codec;

import io.tieredarchive.config.CompressionCodec;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Codec {@code lz4}: one frame of the LZ4 frame format, as Kafka's {@code Lz4BlockOutputStream} writes it for v2
 * batches. All integers little-endian:
 * <ul>
 *   <li>magic {@code 0x184D2204} (int32);</li>
 *   <li>FLG {@code 0x60}: version 01, blocks independent, no block checksum, no content size, no content checksum;
 *       BD {@code 0x40}: blocks of at most 64 KiB; HC: byte 1 of the xxHash32 (seed 0) of FLG and BD;</li>
 *   <li>blocks: int32 size, then the block; the high bit of the size set means stored uncompressed (when
 *       compressing does not make it smaller);</li>
 *   <li>end mark: int32 0.</li>
 * </ul>
 * At the default level (9) it uses lz4's fast compressor, at any other level the high compressor, as Kafka does.
 * Reading accepts any frame Kafka's reader accepts, and checks the optional block and content checksums.
 */
final class Lz4FrameCompression implements BatchCompression {

    static final int MAGIC = 0x184D2204;
    static final int BLOCK_BYTES = 64 * 1024;
    private static final byte FLG = 0x60;
    private static final byte BD = 0x40;
    private static final int UNCOMPRESSED_BLOCK = 0x80000000;
    private static final int FLG_VERSION_MASK = 0xC0;
    private static final int FLG_VERSION_1 = 0x40;
    private static final int FLG_BLOCK_INDEPENDENCE = 0x20;
    private static final int FLG_BLOCK_CHECKSUM = 0x10;
    private static final int FLG_CONTENT_SIZE = 0x08;
    private static final int FLG_CONTENT_CHECKSUM = 0x04;
    private static final int FLG_RESERVED = 0x03;

    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4.safeDecompressor();
    private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();
    private static final byte HEADER_CHECKSUM = (byte) (XXHASH.hash(new byte[] {FLG, BD}, 0, 2, 0) >> 8);

    private final LZ4Compressor compressor;

    /** {@code level} null or 9: the fast compressor; otherwise the high compressor at that level. */
    Lz4FrameCompression(Integer level) {
        boolean fast = level == null || level == CompressionCodec.LZ4.defaultLevel();
        this.compressor = fast ? LZ4.fastCompressor() : LZ4.highCompressor(level);
    }

    @Override
    public CompressionCodec codec() {
        return CompressionCodec.LZ4;
    }

    @Override
    public void compress(byte[] src, int offset, int length, GrowableBytes out) {
        out.ensureRemaining(7);
        ByteBuffer header = ByteBuffer.wrap(out.array(), out.size(), 7).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).put(FLG).put(BD).put(HEADER_CHECKSUM);
        out.advance(7);
        for (int at = offset, end = offset + length; at < end; at += BLOCK_BYTES) {
            int blockLength = Math.min(BLOCK_BYTES, end - at);
            int maxCompressed = compressor.maxCompressedLength(blockLength);
            out.ensureRemaining(4 + Math.max(maxCompressed, blockLength));
            int sizeAt = out.size();
            int compressed = compressor.compress(src, at, blockLength, out.array(), sizeAt + 4, maxCompressed);
            int sizeField = compressed;
            if (compressed >= blockLength) {
                System.arraycopy(src, at, out.array(), sizeAt + 4, blockLength);
                sizeField = blockLength | UNCOMPRESSED_BLOCK;
                compressed = blockLength;
            }
            putIntLE(out.array(), sizeAt, sizeField);
            out.advance(4 + compressed);
        }
        out.ensureRemaining(4);
        putIntLE(out.array(), out.size(), 0);
        out.advance(4);
    }

    @Override
    public void decompress(ByteBuffer src, GrowableBytes out) throws IOException {
        ByteBuffer in = heapCopyIfDirect(src).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (in.getInt() != MAGIC) {
                throw new IOException("not an LZ4 frame (wrong magic)");
            }
            int descriptorStart = in.position();
            int flg = in.get() & 0xFF;
            int maxBlockBytes = maxBlockBytes(in.get() & 0xFF);
            if ((flg & FLG_VERSION_MASK) != FLG_VERSION_1 || (flg & FLG_RESERVED) != 0
                    || (flg & FLG_BLOCK_INDEPENDENCE) == 0) {
                throw new IOException("unsupported LZ4 frame descriptor 0x" + Integer.toHexString(flg));
            }
            if ((flg & FLG_CONTENT_SIZE) != 0) {
                in.position(in.position() + 8);
            }
            int descriptorLength = in.position() - descriptorStart;
            byte expected = (byte) (XXHASH.hash(in.array(), in.arrayOffset() + descriptorStart, descriptorLength, 0)
                    >> 8);
            if (in.get() != expected) {
                throw new IOException("LZ4 frame descriptor checksum mismatch");
            }
            int contentStart = out.size();
            readBlocks(in, flg, maxBlockBytes, out);
            if ((flg & FLG_CONTENT_CHECKSUM) != 0
                    && in.getInt() != XXHASH.hash(out.array(), contentStart, out.size() - contentStart, 0)) {
                throw new IOException("LZ4 content checksum mismatch");
            }
            if (in.hasRemaining()) {
                throw new IOException(in.remaining() + " bytes after the end of the LZ4 frame");
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IOException("LZ4 frame ends early", e);
        }
    }

    private static void readBlocks(ByteBuffer in, int flg, int maxBlockBytes, GrowableBytes out) throws IOException {
        byte[] array = in.array();
        while (true) {
            int sizeField = in.getInt();
            if (sizeField == 0) {
                return;
            }
            int size = sizeField & ~UNCOMPRESSED_BLOCK;
            if (size > maxBlockBytes || size > in.remaining()) {
                throw new IOException("LZ4 block of " + size + " bytes exceeds the frame's maximum (" + maxBlockBytes
                        + ") or what is left of it (" + in.remaining() + ")");
            }
            int at = in.arrayOffset() + in.position();
            out.ensureRemaining(maxBlockBytes);
            if ((sizeField & UNCOMPRESSED_BLOCK) != 0) {
                System.arraycopy(array, at, out.array(), out.size(), size);
                out.advance(size);
            } else {
                try {
                    out.advance(DECOMPRESSOR.decompress(array, at, size, out.array(), out.size(), maxBlockBytes));
                } catch (LZ4Exception e) {
                    throw new IOException("malformed LZ4 block: " + e.getMessage(), e);
                }
            }
            in.position(in.position() + size);
            if ((flg & FLG_BLOCK_CHECKSUM) != 0 && in.getInt() != XXHASH.hash(array, at, size, 0)) {
                throw new IOException("LZ4 block checksum mismatch");
            }
        }
    }

    /** BD bits 4-6: 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB. */
    private static int maxBlockBytes(int bd) throws IOException {
        int code = (bd >> 4) & 0x07;
        if (code < 4 || (bd & 0x8F) != 0) {
            throw new IOException("unsupported LZ4 block descriptor 0x" + Integer.toHexString(bd));
        }
        return 1 << (2 * code + 8);
    }

    private static ByteBuffer heapCopyIfDirect(ByteBuffer src) {
        if (src.hasArray()) {
            return src.slice();
        }
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src.duplicate()).flip();
        return copy;
    }

    private static void putIntLE(byte[] array, int at, int value) {
        array[at] = (byte) value;
        array[at + 1] = (byte) (value >>> 8);
        array[at + 2] = (byte) (value >>> 16);
        array[at + 3] = (byte) (value >>> 24);
    }
}
