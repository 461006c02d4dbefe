package io.tieredarchive.scaling;

import io.tieredarchive.tier.storage.Checksums;
import io.tieredarchive.tier.storage.PreconditionFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The simulation's store bills what S3 would: one PUT per small upload, a multipart upload above the part size. */
class CountingMemoryBackendTest {

    @TempDir
    Path dir;

    private static long[] counts(long put, long post, long get, long head, long list, long delete) {
        return new long[] {put, post, get, head, list, delete};
    }

    private String crcOf(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return Checksums.hex(crc.getValue());
    }

    @Test
    void aFileAboveThePartSizeIsAMultipartUploadScaledByTheByteScale() throws Exception {
        byte[] bytes = new byte[20];
        Path file = Files.write(dir.resolve("a"), bytes);
        CountingMemoryBackend backend = new CountingMemoryBackend(64);
        backend.upload("t/0/a.index", file, crcOf(bytes), Map.of());
        assertArrayEquals(counts(1, 0, 0, 0, 0, 0), backend.requests());
        backend.byteScale(16); // 20 bytes of .log stand for 320: 5 parts of 64
        backend.upload("t/0/a.log", file, crcOf(bytes), Map.of());
        assertArrayEquals(counts(6, 2, 0, 0, 0, 0), backend.requests());
        assertEquals(Map.of("t/0/a.index", 20L, "t/0/a.log", 320L), backend.objectSizes());
    }

    @Test
    void conditionalWritesAndListingsBehaveAsOnS3() throws Exception {
        CountingMemoryBackend backend = new CountingMemoryBackend(1024);
        String etag = backend.putIfMatch("t/0/manifest.json", new byte[] {1}, null).etag();
        assertThrows(PreconditionFailedException.class,
                () -> backend.putIfMatch("t/0/manifest.json", new byte[] {2}, null));
        backend.putIfMatch("t/0/manifest.json", new byte[] {3}, etag);
        assertArrayEquals(new byte[] {3}, backend.get("t/0/manifest.json").orElseThrow().content());
        backend.putIfMatch("t/0/x.json", new byte[] {4}, null);
        assertEquals(List.of("t/0/x.json"),
                backend.list("t/0/", "t/0/manifest.json", 10).stream().map(i -> i.key()).toList());
        assertEquals(List.of("0"), backend.listFolders("t/"));
        backend.head("t/0/x.json");
        backend.delete("t/0/x.json");
        assertArrayEquals(counts(4, 0, 1, 1, 2, 1), backend.requests());
    }
}
