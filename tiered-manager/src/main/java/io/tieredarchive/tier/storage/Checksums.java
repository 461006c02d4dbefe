package io.tieredarchive.tier.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The checksums an upload sends and compares, in the encodings S3 uses: a CRC32C travels as
 * {@code x-amz-checksum-crc32c}, the base64 of its 4 big-endian bytes (this project writes it as 8 lower-case hex
 * digits elsewhere); an MD5 as {@code Content-MD5}, base64 of its 16 bytes, and comes back as the ETag of a
 * single-part object, in hex.
 */
public final class Checksums {

    private static final int BUFFER_BYTES = 64 * 1024;

    private Checksums() {
    }

    /** 8 lower-case hex digits of a CRC32C value. */
    public static String hex(long crc32c) {
        return String.format("%08x", crc32c);
    }

    /** {@code x-amz-checksum-crc32c} of a CRC32C written as 8 hex digits. */
    public static String crc32cBase64(String hex) {
        int value = Integer.parseUnsignedInt(hex, 16);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(value).array());
    }

    /**
     * The 8 hex digits of an {@code x-amz-checksum-crc32c} value; null when it is not one whole-object CRC32C (a
     * multipart object's composite {@code <base64>-<parts>}, or anything malformed).
     */
    public static String crc32cHex(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(base64);
            return bytes.length == 4 ? hex(ByteBuffer.wrap(bytes).getInt() & 0xffffffffL) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The composite checksum S3 reports for a multipart object: CRC32C of the parts' CRC32Cs, then the count. */
    static String compositeCrc32c(List<Integer> partCrc32cs) {
        ByteBuffer all = ByteBuffer.allocate(4 * partCrc32cs.size());
        partCrc32cs.forEach(all::putInt);
        CRC32C crc = new CRC32C();
        crc.update(all.flip());
        return crc32cBase64(hex(crc.getValue())) + "-" + partCrc32cs.size();
    }

    /** The ETag S3 gives a multipart object: MD5 of the parts' MD5s, in hex, then the count. */
    static String multipartEtag(List<byte[]> partMd5s) {
        MessageDigest md5 = md5();
        partMd5s.forEach(md5::update);
        return HexFormat.of().formatHex(md5.digest()) + "-" + partMd5s.size();
    }

    /** The MD5 of a whole file. */
    static byte[] md5(Path file) throws IOException {
        MessageDigest md5 = md5();
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                md5.update(buffer, 0, n);
            }
        }
        return md5.digest();
    }

    static String md5Hex(byte[] md5) {
        return HexFormat.of().formatHex(md5);
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** CRC32C and, when asked, MD5 of one part of a file. */
    record PartDigest(int crc32c, byte[] md5) {

        String crc32cHex() {
            return hex(crc32c & 0xffffffffL);
        }
    }

    /**
     * Reads {@code length} bytes of {@code channel} from {@code position} once: their CRC32C, their MD5 when
     * {@code withMd5}, and {@code whole} updated with them (parts read in order add up to the file's CRC32C).
     */
    static PartDigest digest(FileChannel channel, long position, long length, boolean withMd5, CRC32C whole)
            throws IOException {
        CRC32C crc = new CRC32C();
        MessageDigest md5 = withMd5 ? md5() : null;
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        long done = 0;
        while (done < length) {
            buffer.clear().limit((int) Math.min(BUFFER_BYTES, length - done));
            int n = channel.read(buffer, position + done);
            if (n < 0) {
                throw new IOException("the file ends at " + (position + done) + ", before the " + length
                        + " bytes of a part from " + position);
            }
            buffer.flip();
            crc.update(buffer.duplicate());
            whole.update(buffer.duplicate());
            if (md5 != null) {
                md5.update(buffer);
            }
            done += n;
        }
        return new PartDigest((int) crc.getValue(), md5 == null ? null : md5.digest());
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }
}
