package io.tieredarchive.source.copy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** MD5 as S3 uses it: Content-MD5 headers (base64), ETags (hex), and the ETag of a multipart upload. */
final class Md5 {

    private Md5() {
    }

    /** MD5 of the buffer's bytes from position to limit; the buffer is not moved. */
    static byte[] of(ByteBuffer buffer) {
        MessageDigest digest = digest();
        digest.update(buffer.duplicate());
        return digest.digest();
    }

    static String hex(byte[] md5) {
        return HexFormat.of().formatHex(md5);
    }

    static String base64(byte[] md5) {
        return Base64.getEncoder().encodeToString(md5);
    }

    /** The ETag S3 gives a multipart upload: hex MD5 of the parts' binary MD5s, a dash, the number of parts. */
    static String multipartEtag(byte[][] partMd5s) {
        MessageDigest digest = digest();
        for (byte[] md5 : partMd5s) {
            digest.update(md5);
        }
        return hex(digest.digest()) + "-" + partMd5s.length;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has MD5", e);
        }
    }
}
