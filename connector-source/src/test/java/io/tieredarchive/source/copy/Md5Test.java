package io.tieredarchive.source.copy;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Md5Test {

    @Test
    void multipartEtagIsWhatTheStoreComputes() {
        // 12 MiB from Random(1), in parts of 5, 5 and 2 MiB: S3Proxy 4.1 completed this upload with the ETag below.
        byte[] data = new byte[12 << 20];
        new Random(1).nextBytes(data);
        int part = 5 << 20;
        byte[][] md5s = {
                Md5.of(ByteBuffer.wrap(data, 0, part).slice()),
                Md5.of(ByteBuffer.wrap(data, part, part).slice()),
                Md5.of(ByteBuffer.wrap(data, 2 * part, data.length - 2 * part).slice())};
        assertEquals("704ec3a507a7d6c34ae4204e4fb4a428-3", Md5.multipartEtag(md5s));
        assertEquals("f4ce2eef33b39bc0bca206386365d4e6", Md5.hex(md5s[0]), "its first part's ETag");
    }

    @Test
    void md5OfABufferLeavesItUnmoved() {
        ByteBuffer buffer = ByteBuffer.wrap("hello".getBytes());
        assertEquals("5d41402abc4b2a76b9719d911017c592", Md5.hex(Md5.of(buffer)));
        assertEquals(0, buffer.position());
        assertEquals("XUFAKrxLKna5cZ2REBfFkg==", Md5.base64(Md5.of(buffer)));
    }

    @Test
    void etagHelpers() {
        assertTrue(SourceObject.isMd5("\"5d41402abc4b2a76b9719d911017c592\""));
        assertFalse(SourceObject.isMd5("\"704ec3a507a7d6c34ae4204e4fb4a428-3\""));
        assertTrue(SourceObject.sameEtag("\"5D41402ABC4B2A76B9719D911017C592\"", "5d41402abc4b2a76b9719d911017c592"));
        assertFalse(SourceObject.sameEtag(null, null));
    }
}
